import { acceptBlocklistImport, type ImportDependencies } from '../../../../shared/domain/imports/accept-import.js';
import { importProgress } from '../../../../shared/domain/imports/import-progress.js';
import { rowRequestId } from '../../../../shared/domain/imports/row-request-id.js';
import { consentEventSchema, type QueuedEvent } from '../../../../shared/domain/consent-event.js';
import { IdempotencyConflictError, NotFoundError, ServiceUnavailableError } from '../../../../shared/domain/errors.js';
import type { EventPublisher } from '../../../../shared/domain/ports.js';
import { fixedClock, RecordingPublisher, untilAborted } from '../../support/fakes.js';
import { callerWith, e164 } from '../../support/samples.js';
import { InMemoryBatchRequestStore, InMemoryImportStore } from './fakes.js';

const NOW = '2025-01-02T03:04:05.000Z';
const IMPORT_ID = '01JGZ5K3Q8T2W9X4M6N7P0R1SA';
const A = e164('+420777000001');
const B = e164('+420777000002');
const C = e164('+420777000003');

/** Remembers each `publishAll` call apart, to see the order of rounds. */
class RoundsPublisher extends RecordingPublisher {
  readonly calls: QueuedEvent[][] = [];

  override async publishAll(events: readonly QueuedEvent[]): Promise<void> {
    await super.publishAll(events);
    this.calls.push(structuredClone([...events]));
  }
}

function setUp() {
  const imports = new InMemoryImportStore();
  const requests = new InMemoryBatchRequestStore();
  const publisher = new RoundsPublisher();
  let next = 0;
  const deps: ImportDependencies = { imports, requests, publisher, clock: fixedClock(NOW), newId: () => `${IMPORT_ID.slice(0, -1)}${'ABCDEFGH'[next++]}` };
  return { imports, requests, publisher, deps };
}

const ivan = callerWith({ sub: 'sub-ivan', username: 'ivan' });
const file = (...rows: string[]) => new TextEncoder().encode(['phone,action,reason', ...rows].join('\r\n'));

describe('acceptBlocklistImport', () => {
  it('records one pending request per valid row, with no profile, the importer, the import and the file\'s reason', async () => {
    // prepare
    const { requests, deps } = setUp();

    // act
    const answer = await acceptBlocklistImport(ivan, { csv: file(`${A},block,asked`, 'nonsense,block,x', `${B},unblock,"two\r\nlines"`), idempotencyKey: undefined }, deps);

    // assess
    expect(answer).toEqual({ importId: IMPORT_ID, rows: 3, accepted: 2, invalid: [{ line: 3, message: 'phone is not a valid international phone number' }] });
    expect([...requests.requests.values()]).toEqual([
      {
        requestId: rowRequestId(IMPORT_ID, 2),
        status: 'pending',
        action: 'block',
        phone: A,
        profileId: undefined,
        importId: IMPORT_ID,
        reason: 'asked',
        requestedBy: { type: 'user', sub: 'sub-ivan', username: 'ivan' },
        requestedAt: NOW,
        appliedAt: undefined,
        sequence: 1,
      },
      expect.objectContaining({ requestId: rowRequestId(IMPORT_ID, 4), action: 'unblock', phone: B, reason: 'two\r\nlines', sequence: 1 }),
    ]);
  });

  it("gives a number's rows consecutive sequences after its earlier requests, in line order, and enqueues them in that order", async () => {
    // prepare: A had two requests through the API before
    const { requests, publisher, deps } = setUp();
    requests.sequences.set(A, 2);

    // act
    await acceptBlocklistImport(ivan, { csv: file(`${A},block,first`, `${B},block,only`, `${A},unblock,second`, `${A},block,third`, `${C},block,only`), idempotencyKey: undefined }, deps);

    // assess: sequences
    const byLine = (line: number) => requests.requests.get(rowRequestId(IMPORT_ID, line));
    expect([2, 4, 5].map((line) => byLine(line)?.sequence)).toEqual([3, 4, 5]);
    expect(requests.sequences.get(A)).toBe(5);
    // assess: a number's second row is sent only after its first is on the queue, and so on
    expect(publisher.calls.map((call) => call.map((event) => [event.phone, 'action' in event ? event.action : undefined]))).toEqual([
      [[A, 'block'], [B, 'block'], [C, 'block']],
      [[A, 'unblock']],
      [[A, 'block']],
    ]);
  });

  it('enqueues valid manual events that name the import, the request and no profile', async () => {
    const { publisher, deps } = setUp();

    await acceptBlocklistImport(ivan, { csv: file(`${A},block,asked`), idempotencyKey: undefined }, deps);

    expect(publisher.published).toEqual([
      {
        version: 1,
        eventId: rowRequestId(IMPORT_ID, 2),
        requestId: rowRequestId(IMPORT_ID, 2),
        source: 'manual',
        action: 'block',
        phone: A,
        profileId: undefined,
        importId: IMPORT_ID,
        reason: 'asked',
        actor: { type: 'user', sub: 'sub-ivan', username: 'ivan' },
        requestedAt: NOW,
        sequence: 1,
      },
    ]);
    expect(consentEventSchema().parse(JSON.parse(JSON.stringify(publisher.published[0])))).toMatchObject({ importId: IMPORT_ID });
  });

  describe('with an Idempotency-Key', () => {
    it('answers the same file again with the same import, writing nothing, and enqueues again only the rows still pending', async () => {
      // prepare: the first upload, then the processor applied the row of A
      const { requests, publisher, deps } = setUp();
      const csv = file(`${A},block,asked`, `${B},block,asked`);
      const first = await acceptBlocklistImport(ivan, { csv, idempotencyKey: 'key-1' }, deps);
      requests.setStatus(rowRequestId(IMPORT_ID, 2), 'applied', NOW);
      publisher.calls.length = 0;

      // act
      const again = await acceptBlocklistImport(ivan, { csv, idempotencyKey: 'key-1' }, deps);

      // assess
      expect(again).toEqual(first);
      expect(requests.requests.size).toBe(2);
      expect(requests.createManyCalls).toEqual([2, 0]);
      expect(requests.sequences.get(A)).toBe(1);
      expect(publisher.calls.flat().map((event) => event.eventId)).toEqual([rowRequestId(IMPORT_ID, 3)]);
    });

    it.each([
      ['another file', () => file(`${A},unblock,asked`)],
      ['the same file with one more line break', () => new Uint8Array([...file(`${A},block,asked`), 0x0a])],
    ])('refuses the key with %s: 422, recording nothing', async (_label, other) => {
      const { imports, requests, deps } = setUp();
      await acceptBlocklistImport(ivan, { csv: file(`${A},block,asked`), idempotencyKey: 'key-1' }, deps);

      const refused = acceptBlocklistImport(ivan, { csv: other(), idempotencyKey: 'key-1' }, deps);

      await expect(refused).rejects.toThrow(IdempotencyConflictError);
      expect(imports.imports.size).toBe(1);
      expect(requests.requests.size).toBe(1);
    });

    it('refuses a key that holds a single request of the API', async () => {
      const { imports, deps } = setUp();
      imports.keys.set('sub-ivan#key-1', { importId: undefined, bodyHash: 'hash of a block request' });

      await expect(acceptBlocklistImport(ivan, { csv: file(`${A},block,asked`), idempotencyKey: 'key-1' }, deps)).rejects.toThrow(IdempotencyConflictError);
    });

    it('lets another caller use the same key for an import of their own', async () => {
      const { deps } = setUp();
      const csv = file(`${A},block,asked`);
      const first = await acceptBlocklistImport(ivan, { csv, idempotencyKey: 'key-1' }, deps);

      const other = await acceptBlocklistImport(callerWith({ sub: 'sub-olga', username: 'olga' }), { csv, idempotencyKey: 'key-1' }, deps);

      expect(other.importId).not.toBe(first.importId);
    });

    it('resumes an upload that died while writing: the retry writes the missing rows, the same ones, once each', async () => {
      // prepare: the first attempt dies after writing two of five requests
      const { requests, publisher, deps } = setUp();
      const csv = file(`${A},block,r1`, `${B},block,r2`, `${C},block,r3`, `${A},unblock,r4`, `${B},unblock,r5`);
      requests.dieAfter = 2;
      await expect(acceptBlocklistImport(ivan, { csv, idempotencyKey: 'key-1' }, deps)).rejects.toThrow('the function died');
      const written = structuredClone([...requests.requests.values()]);
      requests.dieAfter = undefined;

      // act
      const resumed = await acceptBlocklistImport(ivan, { csv, idempotencyKey: 'key-1' }, deps);

      // assess: the same import, each row once, with the sequences of the first attempt's plan
      expect(resumed).toMatchObject({ importId: IMPORT_ID, accepted: 5 });
      expect(written).toHaveLength(2);
      expect([...requests.requests.keys()].sort()).toEqual([2, 3, 4, 5, 6].map((line) => rowRequestId(IMPORT_ID, line)).sort());
      expect([...requests.requests.values()].map((request) => [request.phone, request.sequence])).toEqual(
        expect.arrayContaining([[A, 1], [B, 1], [C, 1], [A, 2], [B, 2]]),
      );
      expect(requests.requests.get(written[0]!.requestId)).toEqual(written[0]);
      expect(requests.sequences).toEqual(new Map([[A, 2], [B, 2], [C, 1]]));
      expect(new Set(publisher.published.map((event) => event.eventId)).size).toBe(5);
    });
  });

  describe('out of time', () => {
    it('answers 503 and records nothing when time runs out before the import is recorded', async () => {
      const { imports, requests, deps } = setUp();

      const late = acceptBlocklistImport(ivan, { csv: file(`${A},block,asked`), idempotencyKey: 'key-1' }, { ...deps, timeLeft: () => 4_000 });

      await expect(late).rejects.toThrow(ServiceUnavailableError);
      await expect(late).rejects.toThrow('nothing was recorded');
      expect(imports.imports.size).toBe(0);
      expect(requests.requests.size).toBe(0);
    });

    it('answers 503 naming the import when time runs out while writing its requests, and a retry with the key finishes it', async () => {
      // prepare: writing takes longer than the call has
      const { requests, publisher, deps } = setUp();
      const createMany = requests.createMany.bind(requests);
      requests.createMany = async (many, options) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return createMany(many, options);
      };
      const csv = file(`${A},block,asked`);

      // act
      const late = acceptBlocklistImport(ivan, { csv, idempotencyKey: 'key-1' }, { ...deps, timeLeft: () => 5_100 });

      // assess
      await expect(late).rejects.toThrow(`Import ${IMPORT_ID} is recorded in part: the time a call has ran out. Send the same file with the same Idempotency-Key to finish it.`);
      expect(requests.requests.size).toBe(0);
      expect(publisher.published).toEqual([]);
      await acceptBlocklistImport(ivan, { csv, idempotencyKey: 'key-1' }, deps);
      expect(requests.requests.size).toBe(1);
    });

    it('answers 202 and leaves to the sweeper what it had no time to enqueue', async () => {
      // prepare: the first round of events takes the call's time
      const { requests, publisher, deps } = setUp();
      let now = Date.parse(NOW);
      const publishAll = publisher.publishAll.bind(publisher);
      publisher.publishAll = async (events) => {
        await publishAll(events);
        now += 20_000;
      };
      const failures: unknown[] = [];

      // act
      const answer = await acceptBlocklistImport(
        ivan,
        { csv: file(`${A},block,first`, `${A},unblock,second`), idempotencyKey: undefined },
        { ...deps, clock: { now: () => new Date(now) }, timeLeft: () => 20_000, onPublishFailed: (_id, error) => failures.push(error) },
      );

      // assess
      expect(answer.accepted).toBe(2);
      expect(requests.requests.size).toBe(2);
      expect(publisher.published.map((event) => 'action' in event && event.action)).toEqual(['block']);
      expect(failures).toEqual([new Error('Out of time with 1 of 2 events not enqueued')]);
    });
  });

  it('answers 202 when a send hangs, giving it up shortly before the call runs out of time', async () => {
    // prepare: a queue that never answers, until the call gives up; recording takes all but 50 ms of the time to enqueue
    const { requests, deps } = setUp();
    let now = Date.parse(NOW);
    const createMany = requests.createMany.bind(requests);
    requests.createMany = async (written, options) => {
      await createMany(written, options);
      now += 4_950;
    };
    const signals: (AbortSignal | undefined)[] = [];
    const hanging: EventPublisher = {
      publish: async () => undefined,
      publishAll: (_events, options) => {
        signals.push(options?.signal);
        return untilAborted(options?.signal);
      },
    };
    const failures: string[] = [];

    const answer = await acceptBlocklistImport(
      ivan,
      { csv: file(`${A},block,asked`), idempotencyKey: undefined },
      // 6 s: 1 s to record (5 s are kept back to enqueue and answer), then 50 ms of the 4 s to enqueue, 1 s to answer
      { ...deps, publisher: hanging, clock: { now: () => new Date(now) }, timeLeft: () => 6_000, onPublishFailed: (importId) => failures.push(importId) },
    );

    expect(answer).toMatchObject({ importId: IMPORT_ID, accepted: 1 });
    expect(requests.requests.get(rowRequestId(IMPORT_ID, 2))?.status).toBe('pending');
    expect(signals.map((signal) => signal?.aborted)).toEqual([true]);
    expect(failures).toEqual([IMPORT_ID]);
  });

  it('answers 202 when the queue refuses the events, and says so', async () => {
    const { requests, publisher, deps } = setUp();
    publisher.failWith = new Error('queue unavailable');
    const failures: string[] = [];

    const answer = await acceptBlocklistImport(ivan, { csv: file(`${A},block,asked`), idempotencyKey: undefined }, { ...deps, onPublishFailed: (importId) => failures.push(importId) });

    expect(answer).toMatchObject({ importId: IMPORT_ID, accepted: 1 });
    expect(requests.requests.get(rowRequestId(IMPORT_ID, 2))?.status).toBe('pending');
    expect(failures).toEqual([IMPORT_ID]);
  });
});

describe('importProgress', () => {
  it('counts the accepted rows by their requests\' statuses, and is done once none is pending', async () => {
    // prepare
    const { requests, deps } = setUp();
    await acceptBlocklistImport(ivan, { csv: file(`${A},block,a`, `${B},block,b`, `${C},block,c`, 'x,y,z'), idempotencyKey: undefined }, deps);
    requests.setStatus(rowRequestId(IMPORT_ID, 2), 'applied');
    requests.setStatus(rowRequestId(IMPORT_ID, 3), 'failed');

    // act
    const halfway = await importProgress(IMPORT_ID, deps);
    requests.setStatus(rowRequestId(IMPORT_ID, 4), 'superseded');
    const done = await importProgress(IMPORT_ID, deps);

    // assess
    expect(halfway).toEqual({
      importId: IMPORT_ID,
      rows: 4,
      accepted: 3,
      invalid: [{ line: 5, message: 'phone is not a valid international phone number; action must be block or unblock' }],
      counts: { pending: 1, applied: 1, unchanged: 0, superseded: 0, failed: 1 },
      done: false,
    });
    expect(done).toMatchObject({ counts: { pending: 0, applied: 1, unchanged: 0, superseded: 1, failed: 1 }, done: true });
  });

  it('counts a row whose request is not written yet as pending', async () => {
    const { requests, deps } = setUp();
    requests.dieAfter = 1;
    await expect(acceptBlocklistImport(ivan, { csv: file(`${A},block,a`, `${B},block,b`), idempotencyKey: 'k' }, deps)).rejects.toThrow();

    expect(await importProgress(IMPORT_ID, deps)).toMatchObject({ counts: { pending: 2 }, done: false });
  });

  it('refuses an unknown import with 404', async () => {
    const { deps } = setUp();

    await expect(importProgress('01JGZ5K3Q8T2W9X4M6N7P0R1ZZ', deps)).rejects.toThrow(NotFoundError);
  });
});

describe('rowRequestId', () => {
  it('is a ULID with the import\'s time, the same for the same line and another for each other line', () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => rowRequestId(IMPORT_ID, index + 2));

    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) && id.startsWith(IMPORT_ID.slice(0, 10)))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rowRequestId(IMPORT_ID, 2)).toBe(ids[0]);
    expect(rowRequestId('01JGZ5K3Q8T2W9X4M6N7P0R1SB', 2)).not.toBe(ids[0]);
  });
});
