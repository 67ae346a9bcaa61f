import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { startLocalStackProcess, type LocalStackProcess } from '../support/local-stack-process.js';

/*
 * Every accepted request ends, under faults. A stack of its own runs with LOCAL_FAULT_RATE=0.2: a fifth
 * of the functions' AWS calls fail before they are sent, lose their answer after they took effect, or
 * wait seconds; every queue delivery comes twice. A client that retries 5xx and network errors with the
 * same Idempotency-Key sends block and unblock requests over a few numbers, several at once. Then, with
 * the faults still on, every request that got a 202 must end, once, and each number must be left in the
 * state of its last applied request.
 */

const NUMBERS = 4;
const REQUESTS = 60;
const CONCURRENCY = 6;
/**
 * Generous on purpose: under these faults the processor works through about two events a second here
 * (every delivery twice, and one call in fifteen waits seconds), and CI's machine may be busier still.
 * The deadline bounds the test, not the service's promise, which docs/design.md states.
 */
const QUIESCE_DEADLINE_MS = 240_000;

let stack: LocalStackProcess;
const retries = { count: 0 };

beforeAll(async () => {
  stack = await startLocalStackProcess({
    LOCAL_FAULT_RATE: '0.2',
    LOCAL_DUPLICATE_DELIVERY: 'true',
    LOCAL_VISIBILITY_TIMEOUT_SECONDS: '1',
    LOCAL_SWEEP_INTERVAL_SECONDS: '1',
    PENDING_RESEND_AFTER_SECONDS: '3',
    LOCAL_NAME_PREFIX: 'faults-',
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

/** A client as a careful integrator writes it: 5xx and network errors are retried, with the same key. */
async function call(method: string, path: string, options: { token: string; body?: unknown; key?: string }): Promise<{ status: number; body: any }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${stack.ready.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.key ? { 'idempotency-key': options.key } : {}),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = await response.json().catch(() => undefined);
      if (response.status < 500 || attempt === 20) return { status: response.status, body };
    } catch (error) {
      if (attempt === 20) throw error;
    }
    retries.count += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt)));
  }
}

async function inBatches<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

it(
  'ends every accepted request once, under injected faults, and leaves each number in its last applied state',
  async () => {
    // prepare
    const admin = await tokenFor({ user: 'adam', groups: ['profile-admins'] });
    const editor = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
    const phones = Array.from({ length: NUMBERS }, () => uniquePhone());
    const profileId = `faults-${randomUUID()}`;
    expect((await call('PUT', `/profiles/${profileId}`, { token: admin, body: { whatsappNumbers: phones } })).status).toBe(200);
    const plan = Array.from({ length: REQUESTS }, (_, index) => ({
      phone: phones[index % NUMBERS]!,
      action: Math.random() < 0.5 ? 'block' : 'unblock',
      key: randomUUID(),
    }));
    const started = Date.now();

    // act: send, with retries
    const answers = await inBatches(plan, CONCURRENCY, async (request) => {
      const answer = await call('POST', `/profiles/${profileId}/whatsapp/${encodeURIComponent(request.phone)}/${request.action}`, {
        token: editor,
        body: { reason: `fault run ${request.key}` },
        key: request.key,
      });
      return { ...request, status: answer.status, requestId: answer.body?.requestId as string | undefined };
    });
    const sentAt = Date.now();

    // assess: every request was accepted, each under one request id of its own
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    const requestIds = answers.map((answer) => answer.requestId!);
    expect(new Set(requestIds).size).toBe(REQUESTS);

    // act: wait, with the faults still on, until every accepted request has ended
    const statuses = new Map<string, string>();
    const deadline = Date.now() + QUIESCE_DEADLINE_MS;
    while (statuses.size < REQUESTS && Date.now() < deadline) {
      await inBatches(requestIds.filter((id) => !statuses.has(id)), CONCURRENCY, async (requestId) => {
        const answer = await call('GET', `/requests/${requestId}`, { token: editor });
        if (answer.status === 200 && answer.body.status !== 'pending') statuses.set(requestId, answer.body.status);
      });
      if (statuses.size < REQUESTS) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const quiescedAt = Date.now();

    // assess: nothing pending
    expect(requestIds.filter((id) => !statuses.has(id))).toEqual([]);

    // assess, from the tables themselves: one request item per accepted request, one audit entry per
    // request that was applied, and each number in the state of its last applied request
    const dynamoDb = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: String(stack.ready['dynamoDbEndpoint']), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    const query = async (table: string, pk: string, prefix?: string) =>
      (
        await dynamoDb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    const consentTable = String(stack.ready['consentTableName']);
    const auditTable = String(stack.ready['auditTableName']);
    for (const phone of phones) {
      const requests = await query(consentTable, `PHONE#${phone}`, 'REQ#');
      const audit = (await query(auditTable, `PHONE#${phone}`)).filter((entry) => entry['requestId']);
      const accepted = answers.filter((answer) => answer.phone === phone).map((answer) => answer.requestId).sort();

      expect(requests.map((request) => request['requestId']).sort()).toEqual(accepted);
      const audited = audit.map((entry) => entry['requestId'] as string);
      expect(new Set(audited).size).toBe(audited.length);
      expect(audited.sort()).toEqual(requests.filter((request) => request['status'] !== 'failed').map((request) => request['requestId']).sort());

      const decided = requests.filter((request) => request['status'] === 'applied' || request['status'] === 'unchanged');
      const last = decided.sort((a, b) => Number(b['sequence']) - Number(a['sequence']))[0];
      const state = (await dynamoDb.send(new GetCommand({ TableName: consentTable, Key: { pk: `PHONE#${phone}`, sk: 'STATE' }, ConsistentRead: true }))).Item;
      expect(state?.['blocked'] ?? false).toBe(last ? last['action'] === 'block' : false);
    }

    // the figures of the run
    const faults = (await (await fetch(`${stack.ready.url}/local/faults`)).json()) as Record<string, number>;
    const outcomes: Record<string, number> = {};
    for (const status of statuses.values()) outcomes[status] = (outcomes[status] ?? 0) + 1;
    console.log(
      `fault run: ${REQUESTS} requests over ${NUMBERS} numbers, ${CONCURRENCY} at once; ${retries.count} client retries; ` +
        `faults injected: ${faults['before']} before sending, ${faults['after']} answers lost, ${faults['delay']} delays, of ${faults['calls']} calls; ` +
        `outcomes ${JSON.stringify(outcomes)}; sent in ${((sentAt - started) / 1000).toFixed(1)} s, all ended ${((quiescedAt - sentAt) / 1000).toFixed(1)} s later`,
    );
    expect(faults['before']! + faults['after']! + faults['delay']!).toBeGreaterThan(0);
    dynamoDb.destroy();
  },
  420_000,
);
