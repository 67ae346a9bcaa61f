import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { acceptBlocklistImport } from '../../shared/domain/imports/accept-import.js';
import { rowRequestId } from '../../shared/domain/imports/row-request-id.js';
import { DynamoImportStore } from '../../shared/adapters/import-store.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import { SqsEventPublisher } from '../../shared/adapters/sqs-event-publisher.js';
import { systemClock } from '../../shared/adapters/runtime.js';
import { callerFromClaims } from '../../shared/domain/caller.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, editor, invoke, reader, type TestCaller } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord } from '../support/sqs-records.js';
import { allItems, queueDepth } from '../support/tables.js';

/** More rows than a page of the import's items (1,000) and many transactions of requests. */
const LARGE_IMPORT_ROWS = 2_500;

/*
 * Blocklist imports against DynamoDB Local and fauxqs: the handler reads the file and records a request
 * per valid row, the processor applies them from the queue, and the import's progress follows them.
 */

// A visibility timeout longer than a batch takes, so that a batch being processed is not handed out again.
const resources = await provisionIsolatedResources({ visibilityTimeoutSeconds: 30 });
const imports = await import('../../functions/blocklist-imports/handler.js');
const requestsFunction = await import('../../functions/consent-requests/handler.js');
const profiles = await import('../../functions/profiles/handler.js');
const api = consentApi({ profiles, requests: requestsFunction });
const { handler: processor } = await import('../../functions/processor/handler.js');
const { sweep } = await import('../../functions/request-sweeper/handler.js');

const HEADER = 'phone,action,reason';
const csv = (...lines: string[]) => [HEADER, ...lines].join('\n');

function upload(body: string, { key, caller = editor, contentType = 'text/csv' }: { key?: string; caller?: TestCaller; contentType?: string } = {}) {
  return invoke(
    imports.handler,
    apiEvent('POST /blocklist/imports', { body, caller, headers: { 'content-type': contentType, ...(key === undefined ? {} : { 'idempotency-key': key }) } }),
  );
}

async function progress(importId: string, caller: TestCaller = reader) {
  return invoke(imports.handler, apiEvent('GET /blocklist/imports/{importId}', { pathParameters: { importId }, caller }));
}

async function request(requestId: string) {
  return (await invoke(requestsFunction.handler, apiEvent('GET /requests/{requestId}', { pathParameters: { requestId } }))).body;
}

/**
 * Plays the queue's event source mapping: receives batches, hands them to the processor, deletes what it
 * processed, several pollers at once, until `count` records are done.
 */
async function processQueue(count: number, { pollers = 8, timeoutMs = 480_000 } = {}): Promise<void> {
  let processed = 0;
  const deadline = Date.now() + timeoutMs;
  const poll = async () => {
    while (processed < count) {
      if (Date.now() > deadline) throw new Error(`only ${processed} of ${count} records were processed`);
      const { Messages = [] } = await resources.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: resources.consentQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) continue;
      const records = Messages.map((message) => sqsRecord(message.Body ?? '', { groupId: message.Attributes?.['MessageGroupId'] ?? '', messageId: message.MessageId ?? '' }));
      const { batchItemFailures } = await processor(batch(...records), lambdaContext('processor'));
      const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
      const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
      if (done.length > 0) {
        await resources.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: resources.consentQueueUrl, Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
        );
      }
      processed += done.length;
    }
  };
  await Promise.all(Array.from({ length: pollers }, poll));
}

/** The request items of these numbers (every request, of imports or not). */
async function requestItemsOf(phones: string[]) {
  const partitions = new Set(phones.map((phone) => `PHONE#${phone}`));
  return (await allItems(resources.dynamoDb, resources.consentTableName)).filter((item) => partitions.has(item['pk']) && String(item['sk']).startsWith('REQ#'));
}

async function auditOf(phones: string[]) {
  const partitions = new Set(phones.map((phone) => `PHONE#${phone}`));
  return (await allItems(resources.dynamoDb, resources.auditTableName)).filter((item) => partitions.has(item['pk']));
}

async function stateOf(phone: string) {
  return (await invoke(profiles.handler, apiEvent('GET /numbers/{phone}', { pathParameters: { phone } }))).body;
}

beforeEach(async () => {
  // Every test starts from an empty queue: what one enqueues is not processed by the next.
  await processQueue(await queueDepth(resources.sqs, resources.consentQueueUrl));
});

describe('POST /blocklist/imports', () => {
  it('answers every invalid row with its line, and records a pending request without a profile for each valid row', async () => {
    // prepare: valid rows, a multi-line reason, an unknown action, a bad number, a repeat, a formula
    const [first, second, third] = [uniquePhone(), uniquePhone(), uniquePhone()];
    const body = csv(
      `${first},block,"Asked us to stop,`,
      'by phone"',
      `${second},remove,no such action`,
      '+420 777,block,too short',
      `${third},unblock,"=HYPERLINK(""x"")"`,
      `${first.slice(1)},block,"Asked us to stop,\nby phone"`,
    );

    // act
    const response = await upload(body);

    // assess: the answer
    expect(response).toMatchObject({ status: 202, contentType: 'application/json' });
    const { importId } = response.body;
    expect(response.body).toEqual({
      importId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      rows: 5,
      accepted: 2,
      invalid: [
        { line: 4, message: 'action must be block or unblock' },
        { line: 5, message: 'phone is not a valid international phone number' },
        { line: 7, message: 'repeats line 2 (the same phone, action and reason)' },
      ],
    });
    // assess: one pending request per valid row, under the row's id, by the importer, on no profile
    expect(await request(rowRequestId(importId, 2))).toEqual({
      requestId: rowRequestId(importId, 2),
      status: 'pending',
      action: 'block',
      phone: first,
      profileId: null,
      importId,
      requestedBy: { type: 'user', sub: 'sub-editor', username: 'erin' },
      requestedAt: expect.any(String),
      appliedAt: null,
    });
    expect(await request(rowRequestId(importId, 6))).toMatchObject({ status: 'pending', action: 'unblock', phone: third });
    const stored = await requestItemsOf([first, second, third]);
    expect(stored.map((item) => [item['phone'], item['importId'], item['reason'], item['profileId']])).toEqual(
      expect.arrayContaining([
        [first, importId, 'Asked us to stop,\nby phone', undefined],
        [third, importId, '=HYPERLINK("x")', undefined],
      ]),
    );
    expect(stored).toHaveLength(2);
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(2);
    expect(await progress(importId)).toMatchObject({
      status: 200,
      body: { importId, rows: 5, accepted: 2, counts: { pending: 2, applied: 0, unchanged: 0, superseded: 0, failed: 0 }, done: false },
    });
  });

  it('applies the rows through the queue and the processor: progress reaches done, and each audit entry names the importer and the import', async () => {
    // prepare: a number blocked before by an editor on a profile, two new numbers
    const [blocked, fresh, flipped] = [uniquePhone(), uniquePhone(), uniquePhone()];
    const profileId = await api.createProfile([blocked]);
    await api.request('block', profileId, blocked, 'blocked by hand');
    await processQueue(1);
    const importer: TestCaller = { sub: 'sub-ivan', username: 'ivan', groups: ['whatsapp-blocklist-editors'] };

    // act: unblock the blocked one, block a fresh one, ask the fresh one's block again in other words (unchanged),
    // and block then unblock a third in the file's order
    const response = await upload(
      csv(`${blocked},unblock,cleared`, `${fresh},block,imported block`, `${fresh},block,said it twice`, `${flipped},block,first`, `${flipped},unblock,then`),
      { caller: importer },
    );
    const { importId } = response.body;
    const halfway = await progress(importId);
    await processQueue(5);

    // assess: progress
    expect(halfway.body).toMatchObject({ accepted: 5, counts: { pending: 5 }, done: false });
    expect((await progress(importId)).body).toEqual({
      importId,
      rows: 5,
      accepted: 5,
      invalid: [],
      counts: { pending: 0, applied: 4, unchanged: 1, superseded: 0, failed: 0 },
      done: true,
    });
    // assess: the states changed, in the file's order for the number named twice (the editors' last word is shown)
    expect(await stateOf(blocked)).toMatchObject({ blocked: false, source: 'manual', reason: 'cleared', updatedBy: 'ivan' });
    expect(await stateOf(fresh)).toMatchObject({ blocked: true, source: 'manual', reason: 'said it twice', updatedBy: 'ivan' });
    expect(await stateOf(flipped)).toMatchObject({ blocked: false, reason: 'then' });
    // assess: every entry of the import is the importer's, names the import, and no profile
    const entries = (await auditOf([blocked, fresh, flipped])).filter((entry) => entry['importId'] === importId);
    expect(entries).toHaveLength(5);
    for (const entry of entries) {
      expect(entry).toMatchObject({ actor: { type: 'user', sub: 'sub-ivan', username: 'ivan' }, source: 'manual' });
      expect(entry['profileId']).toBeUndefined();
    }
    expect(entries.map((entry) => [entry['phone'], entry['action'], entry['outcome']]).sort()).toEqual(
      [
        [blocked, 'unblock', 'applied'],
        [flipped, 'block', 'applied'],
        [flipped, 'unblock', 'applied'],
        [fresh, 'block', 'applied'],
        [fresh, 'block', 'unchanged'],
      ].sort(),
    );
  });

  it('answers a retry with the same Idempotency-Key with the same import, enqueuing and writing nothing new', async () => {
    // prepare
    const phones = [uniquePhone(), uniquePhone(), uniquePhone()];
    const body = csv(...phones.map((phone) => `${phone},block,retry`), 'not a number,block,x');
    const key = `import-${ulid()}`;
    const first = await upload(body, { key });
    const depthAfterFirst = await queueDepth(resources.sqs, resources.consentQueueUrl);

    // act
    const again = await upload(body, { key });

    // assess
    expect(again).toEqual(first);
    expect(first.body).toMatchObject({ rows: 4, accepted: 3, invalid: [{ line: 5, message: 'phone is not a valid international phone number' }] });
    expect(depthAfterFirst).toBe(3);
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(3);
    expect(await requestItemsOf(phones)).toHaveLength(3);

    // act, assess: once applied, a third upload still answers the same import and enqueues nothing
    await processQueue(3);
    expect(await upload(body, { key })).toEqual(first);
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
    expect((await progress(first.body.importId)).body).toMatchObject({ counts: { applied: 3, pending: 0 }, done: true });
  });

  it('refuses the same Idempotency-Key with another file, or one that holds a single request, with 422, recording nothing', async () => {
    // prepare: a key used for an import, and one used for a block request
    const phone = uniquePhone();
    const key = `import-${ulid()}`;
    await upload(csv(`${phone},block,first file`), { key });
    const profileId = await api.createProfile([phone]);
    const requestKey = `request-${ulid()}`;
    const blocked = await invoke(
      requestsFunction.handler,
      apiEvent('POST /profiles/{profileId}/whatsapp/{phone}/block', { pathParameters: { profileId, phone }, body: { reason: 'x' }, headers: { 'idempotency-key': requestKey }, caller: editor }),
    );
    expect(blocked.status).toBe(202);
    const depth = await queueDepth(resources.sqs, resources.consentQueueUrl);

    // act
    const otherFile = await upload(csv(`${phone},unblock,another file`), { key });
    const requestsKey = await upload(csv(`${phone},unblock,another file`), { key: requestKey });

    // assess
    for (const response of [otherFile, requestsKey]) {
      expect(response).toMatchObject({ status: 422, contentType: 'application/problem+json', body: { type: '/problems/idempotency-key-reused' } });
    }
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(depth);
    expect(await requestItemsOf([phone])).toHaveLength(2);
  });

  it('resumes an upload that died while writing its requests: a retry with the key writes the missing ones, once each, and enqueues them', async () => {
    // prepare: the first attempt records the import and 60 of its 130 requests, then dies
    const phones = Array.from({ length: 130 }, () => uniquePhone());
    const body = csv(...phones.map((phone) => `${phone},block,interrupted`));
    const key = `import-${ulid()}`;
    const requests = new DynamoRequestStore(resources.consentTableName);
    const dying = Object.assign(Object.create(requests) as DynamoRequestStore, {
      createMany: async (many: Parameters<DynamoRequestStore['createMany']>[0]) => {
        await requests.createMany(many.slice(0, 60));
        throw new Error('the function timed out');
      },
    });
    const caller = callerFromClaims({ token_use: 'access', sub: 'sub-editor', username: 'erin', 'cognito:groups': '[whatsapp-blocklist-editors]' })!;
    const interrupted = acceptBlocklistImport(
      caller,
      { csv: new TextEncoder().encode(body), idempotencyKey: key },
      { imports: new DynamoImportStore(resources.consentTableName), requests: dying, publisher: new SqsEventPublisher(resources.consentQueueUrl), clock: systemClock, newId: ulid },
    );
    await expect(interrupted).rejects.toThrow('the function timed out');
    const writtenFirst = await requestItemsOf(phones);

    // act
    const resumed = await upload(body, { key });

    // assess: the same import, each row once, the first attempt's requests as they were
    expect(writtenFirst).toHaveLength(60);
    expect(resumed).toMatchObject({ status: 202, body: { rows: 130, accepted: 130, invalid: [] } });
    const importId = resumed.body.importId;
    const written = await requestItemsOf(phones);
    expect(written).toHaveLength(130);
    expect(new Set(written.map((item) => item['requestId']))).toEqual(new Set(phones.map((_, index) => rowRequestId(importId, index + 2))));
    expect(written.filter((item) => writtenFirst.some((first) => first['sk'] === item['sk']))).toEqual(expect.arrayContaining(writtenFirst));
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(130);
    await processQueue(130);
    expect((await progress(importId)).body).toMatchObject({ counts: { applied: 130, pending: 0 }, done: true });
  });

  it('keeps its 202 when the events cannot be enqueued: the rows stay pending until the sweeper sends them, and then end', async () => {
    // prepare: the queue refuses every send of this upload
    const phones = [uniquePhone(), uniquePhone()];
    const body = csv(...phones.map((phone) => `${phone},block,queue down`));
    const caller = callerFromClaims({ token_use: 'access', sub: 'sub-editor', username: 'erin' })!;
    const publisher = new SqsEventPublisher(resources.consentQueueUrl);
    const failures: string[] = [];
    const accepted = await acceptBlocklistImport(
      caller,
      { csv: new TextEncoder().encode(body), idempotencyKey: undefined },
      {
        imports: new DynamoImportStore(resources.consentTableName),
        requests: new DynamoRequestStore(resources.consentTableName),
        publisher: Object.assign(Object.create(publisher) as SqsEventPublisher, { publishAll: async () => Promise.reject(new Error('queue unavailable')) }),
        clock: systemClock,
        newId: ulid,
        onPublishFailed: (importId) => failures.push(importId),
      },
    );
    expect(failures).toEqual([accepted.importId]);
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
    expect((await progress(accepted.importId)).body.counts).toMatchObject({ pending: 2 });

    // act: a sweep that counts anything pending as stale
    await sweep({ resendAfterSeconds: 0, limit: 100 });
    await processQueue(2);

    // assess
    expect((await progress(accepted.importId)).body).toMatchObject({ counts: { applied: 2, pending: 0 }, done: true });
  });

  // The end-to-end suite imports 10,000 rows over HTTP; here, enough for several pages and many transactions.
  it(`imports ${LARGE_IMPORT_ROWS} rows, several pages of them, and applies them all`, async () => {
    // prepare
    const phones = Array.from({ length: LARGE_IMPORT_ROWS }, () => uniquePhone());
    const body = csv(...phones.map((phone, index) => `${phone},block,"Imported row ${index + 2}, in bulk"`));

    // act: upload as a client does, again with the same key after a 503 (a call that ran out of its 30 s)
    const key = `import-${ulid()}`;
    const started = performance.now();
    const uploads = [await upload(body, { key })];
    while (uploads.at(-1)?.status === 503 && uploads.length < 5) uploads.push(await upload(body, { key }));
    const accepted = performance.now();
    await processQueue(LARGE_IMPORT_ROWS);
    const processed = performance.now();

    // assess
    const response = uploads.at(-1);
    expect(response).toMatchObject({ status: 202, body: { rows: LARGE_IMPORT_ROWS, accepted: LARGE_IMPORT_ROWS, invalid: [] } });
    expect(await requestItemsOf(phones.slice(0, 500))).toHaveLength(500);
    const done = await progress(response?.body.importId);
    const read = performance.now();
    expect(done.body).toMatchObject({ counts: { pending: 0, applied: LARGE_IMPORT_ROWS }, done: true });
    console.log(
      `${LARGE_IMPORT_ROWS}-row import on DynamoDB Local and fauxqs: accepted in ${((accepted - started) / 1000).toFixed(1)} s ` +
        `(${uploads.map((each) => each.status).join(', ')}), processed in ${((processed - accepted) / 1000).toFixed(1)} s ` +
        `(8 pollers of 10), progress read in ${(read - processed).toFixed(0)} ms`,
    );
  }, 900_000);
});

describe('refusals', () => {
  it.each([
    ['application/json', 415],
    ['text/plain', 415],
    ['text/csv; charset=iso-8859-1', 415],
    ['text/csv; charset=utf-8; header=present', 202],
  ])('answers a body sent as %s with %i', async (contentType, status) => {
    const response = await upload(csv(`${uniquePhone()},block,x`), { contentType });

    expect(response.status).toBe(status);
    if (status === 415) expect(response.body.errors).toEqual([{ field: 'header.content-type', message: 'must be text/csv, in UTF-8' }]);
  });

  it('refuses a body over 1 MiB with 413 and one of 10,001 rows with 400, recording nothing', async () => {
    const phones = Array.from({ length: 10_001 }, (_, index) => `+42073${String(index).padStart(7, '0')}`);
    const large = csv(`${uniquePhone()},block,${'x'.repeat(1024 * 1024)}`);

    const tooLarge = await upload(large);
    const tooMany = await upload(csv(...phones.map((phone) => `${phone},block,x`)));

    expect(tooLarge).toMatchObject({ status: 413, contentType: 'application/problem+json' });
    expect(tooMany).toMatchObject({ status: 400, body: { errors: [{ field: 'body', message: 'must have at most 10,000 rows after the header; it has 10,001' }] } });
    expect(await requestItemsOf(phones.slice(0, 10))).toEqual([]);
  });

  it('refuses a file whose quotes do not balance with 400, naming the line', async () => {
    const response = await upload(csv(`${uniquePhone()},block,fine`, `${uniquePhone()},block,"never closed`));

    expect(response).toMatchObject({ status: 400, body: { errors: [{ field: 'body.line.3', message: 'opens a quoted field that is never closed' }] } });
  });

  it('lets only editors import (403), and any caller read an import; an unknown import is 404', async () => {
    const refused = await upload(csv(`${uniquePhone()},block,x`), { caller: reader });
    const { body } = await upload(csv(`${uniquePhone()},block,x`));

    expect(refused).toMatchObject({ status: 403 });
    expect((await progress(body.importId, reader)).status).toBe(200);
    expect((await progress(ulid())).status).toBe(404);
    expect((await progress('not-an-id')).body.errors).toEqual([{ field: 'path.importId', message: 'must be an import id' }]);
  });
});
