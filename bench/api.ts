import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { BOUNDED_CALLS } from '../shared/adapters/bounded-calls.js';
import { ENV } from '../shared/config.js';
import { consentQueue, consentTable } from '../infra/resources.js';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { freePort } from '../infra/local/free-port.js';
import { lambdaContext } from '../infra/local/lambda-context.js';
import { createTable } from '../infra/local/provision.js';
import { percentile, round2 } from '../scripts/statistics.js';

/**
 * `npm run bench -- api`: the latency of a block request through the real consent-requests handler,
 * beside the raw floor of the same calls, against DynamoDB Local and the fauxqs SQS emulator over
 * loopback with the real AWS SDK.
 *
 * The handler (`functions/consent-requests/handler.ts`, its middy chain, zod parsing and domain code) is
 * invoked as API Gateway invokes it: an HTTP API (payload 2.0) event for
 * `POST /profiles/{profileId}/whatsapp/{phone}/block` with a JSON `{"reason": …}` body, the headers a
 * browser sends (a bearer token, `Content-Type`, a fresh `Idempotency-Key`), the JWT authorizer's claims
 * of an editor (`cognito:groups` "[whatsapp-blocklist-editors]", which grants "whatsapp-blocklist:edit"),
 * and a Lambda context. It must answer `202` every time, and the queue must hold one event per request
 * at the end; otherwise the run fails.
 *
 * The raw floor is the calls the design needs for one new request, issued with plain `DynamoDBClient`
 * and `SQSClient` (the functions' timeouts and retries, clients of their own; low-level attribute
 * values, no document client, no middy, no zod, no domain code), in the handler's order:
 *
 *   1. side by side: GetItem of the idempotency key (consistent), GetItem of the profile (consistent),
 *      UpdateItem `ADD value :one` of the number's sequence counter;
 *   2. TransactWriteItems of the request, its pointer and the idempotency key, each conditional, with
 *      the request id as the client token;
 *   3. SendMessage of the event to the FIFO queue (group: the number; deduplication id: the request id).
 *
 * The items and the message have the handler's attributes and sizes. 64 seeded profiles hold 4 numbers
 * each; successive requests cycle through the 256 numbers, so requests in flight together rarely share
 * a number. At each concurrency (closed loop: that many callers, each sending its next request when the
 * last one answers), rounds of handler and floor alternate, which goes first alternating too, after a
 * warm-up of both, so machine noise hits both alike.
 *
 * The floor runs in a Node.js process of its own, which never loads the function's modules: whatever
 * those modules cost every call in their process is the handler's cost, not the floor's. fauxqs runs
 * in a process of its own too, as SQS is a service of its own, so that its work shares neither side's
 * event loop (DynamoDB Local is a Java process). Only one side runs at a time.
 *
 * The table gives, per concurrency, p50 and p99 of each side and their ratios, and the CPU time each
 * side's own process spent per request (building the event or the call's input included; the
 * emulators' CPU is not in it). The function's log lines (its metrics, a line per invocation; here,
 * where invocations overlap in one process, they may share one) are written as in Lambda but not
 * shown. The last line is JSON: `requests`, `p50Ms`, `p99Ms`, `rawP50Ms`, `rawP99Ms` and `overheadP50`
 * (handler p50 / floor p50) over the measured requests of every concurrency together (each concurrency
 * contributes as many), and `byConcurrency`, the same per concurrency.
 *
 * Several requests in flight in one process is not how Lambda runs them (one at a time per instance):
 * at 4 and 16 both sides queue on this machine's CPU and on DynamoDB Local, so those rows measure
 * throughput under load as much as latency. The row of concurrency 1 is the latency of one request.
 */
const CONCURRENCIES = [1, 4, 16] as const;
const ROUNDS = 10;
/** Requests of each kind per round and concurrency. */
const PER_ROUND = 64;
const WARM_UP_ROUNDS = 3;
const PROFILES = 64;
const NUMBERS_PER_PROFILE = 4;

const ROUTE_KEY = 'POST /profiles/{profileId}/whatsapp/{phone}/block';
const EDITOR = { sub: '3c8e5b1a-7f0d-4b8e-9a61-2f4d6c0e9b17', username: 'erin' };
const REASON = 'Asked us to stop, by phone';

const profileIdOf = (profile: number) => `bench-profile-${profile}`;
const phoneOf = (index: number) => `+420777${String(100_000 + index).padStart(6, '0')}`;
const NUMBERS = PROFILES * NUMBERS_PER_PROFILE;
/** The i-th request's number and the profile that holds it. */
const targetOf = (index: number) => {
  const number = index % NUMBERS;
  return { phone: phoneOf(number), profileId: profileIdOf(Math.floor(number / NUMBERS_PER_PROFILE)) };
};

type Handler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export async function run(): Promise<void> {
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
  // As the stack deploys the functions.
  process.env['POWERTOOLS_SERVICE_NAME'] ??= 'whatsapp-consent';
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'INFO';

  const [dynamoDbLocal, sqsEmulator] = await Promise.all([startDynamoDbLocal({ port: await freePort() }), startSqsEmulatorProcess()]);
  const dynamoDb = new DynamoDBClient({ ...BOUNDED_CALLS, endpoint: dynamoDbLocal.endpoint });
  const sqs = new SQSClient({ ...BOUNDED_CALLS, endpoint: sqsEmulator.endpoint, useQueueUrlAsEndpoint: false });
  const output = quietStdout();
  let stopFloor: () => Promise<void> = async () => undefined;
  try {
    const tableName = await createTable(dynamoDb, consentTable, 'bench-ConsentTable');
    const { QueueUrl: queueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `bench-${consentQueue.id}.fifo`,
        Attributes: { FifoQueue: 'true', VisibilityTimeout: String(consentQueue.visibilityTimeoutSeconds), MessageRetentionPeriod: String(consentQueue.retentionSeconds) },
      }),
    );
    if (!queueUrl) throw new Error('fauxqs returned no queue URL');
    await seedProfiles(dynamoDb, tableName);

    // The function finds the emulators and its resources as it does in AWS: through its environment.
    process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamoDbLocal.endpoint;
    process.env['AWS_ENDPOINT_URL_SQS'] = sqsEmulator.endpoint;
    process.env[ENV.consentTableName] = tableName;
    process.env[ENV.consentQueueUrl] = queueUrl;
    const { handler } = (await import('../functions/consent-requests/handler.js')) as unknown as { handler: Handler };

    const viaHandler = handlerCaller(handler);
    const floor = await startFloorProcess({ dynamoDbEndpoint: dynamoDbLocal.endpoint, sqsEndpoint: sqsEmulator.endpoint, tableName, queueUrl });
    stopFloor = floor.stop;
    const sides: Record<'handler' | 'floor', Side> = { handler: { round: (concurrency, count) => timedRound(viaHandler, concurrency, count) }, floor };

    // Warm-up: connections, JIT, DynamoDB Local's own warm-up; nothing recorded.
    output.quiet();
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      for (const concurrency of CONCURRENCIES) {
        await sides.handler.round(concurrency, PER_ROUND);
        await sides.floor.round(concurrency, PER_ROUND);
      }
    }

    const samples = new Map(CONCURRENCIES.map((concurrency) => [concurrency, { handler: emptySample(), floor: emptySample() }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of CONCURRENCIES) {
        const order = (round + concurrency) % 2 === 0 ? (['handler', 'floor'] as const) : (['floor', 'handler'] as const);
        for (const side of order) {
          const { latencies, cpuMs } = await sides[side].round(concurrency, PER_ROUND);
          const sample = samples.get(concurrency)![side];
          sample.latencies.push(...latencies);
          sample.cpuMs += cpuMs;
        }
      }
    }
    const logLines = output.swallowedLines;
    output.restore();

    // Every request's event reached the queue (a 202 alone does not show it: the handler answers 202
    // once the request is recorded, and leaves a failed send to the sweeper).
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    const queued = Number(Attributes?.['ApproximateNumberOfMessages']);
    const sent = viaHandler.calls + (await floor.calls());
    if (queued !== sent) throw new Error(`The queue holds ${queued} messages for ${sent} requests: some events were not enqueued.`);

    const rows = CONCURRENCIES.map((concurrency) => summary(concurrency, samples.get(concurrency)!));
    const pooled = (side: 'handler' | 'floor'): Sample => ({
      latencies: [...samples.values()].flatMap((sample) => sample[side].latencies),
      cpuMs: [...samples.values()].reduce((total, sample) => total + sample[side].cpuMs, 0),
    });
    const all = summary(0, { handler: pooled('handler'), floor: pooled('floor') });
    console.log(
      `api: block requests through the consent-requests handler vs the raw floor of the same calls; ` +
        `${ROUNDS} interleaved rounds of ${PER_ROUND} per side and concurrency after ${WARM_UP_ROUNDS} warm-up rounds`,
    );
    console.table(
      rows.map((row) => ({
        concurrency: row.concurrency,
        requests: row.requests,
        'handler p50 ms': row.p50Ms,
        'handler p99 ms': row.p99Ms,
        'floor p50 ms': row.rawP50Ms,
        'floor p99 ms': row.rawP99Ms,
        'p50 ratio': row.overheadP50,
        'p99 ratio': row.overheadP99,
        'handler CPU ms/req': row.cpuMsPerRequest,
        'floor CPU ms/req': row.rawCpuMsPerRequest,
      })),
    );
    console.log(
      `all concurrencies: handler p50 ${all.p50Ms} ms, p99 ${all.p99Ms} ms; floor p50 ${all.rawP50Ms} ms, p99 ${all.rawP99Ms} ms; ` +
        `p50 ratio ${all.overheadP50}; CPU of its own process per request: handler ${all.cpuMsPerRequest} ms, floor ${all.rawCpuMsPerRequest} ms. Every request answered 202; ${queued} events queued; the function wrote ${logLines} log lines (its metrics; overlapping invocations share a line).`,
    );
    console.log(
      JSON.stringify({
        bench: 'api',
        requests: all.requests,
        p50Ms: all.p50Ms,
        p99Ms: all.p99Ms,
        rawP50Ms: all.rawP50Ms,
        rawP99Ms: all.rawP99Ms,
        overheadP50: all.overheadP50,
        byConcurrency: rows,
      }),
    );
  } finally {
    output.restore();
    await stopFloor();
    dynamoDb.destroy();
    sqs.destroy();
    await Promise.all([dynamoDbLocal.stop(), sqsEmulator.stop()]);
  }
}

interface Side {
  /** `count` requests by `concurrency` callers. */
  round(concurrency: number, count: number): Promise<Round>;
}

interface Round {
  /** Each request's, in milliseconds. */
  latencies: number[];
  /** The CPU time of the side's own process over the round (building the requests included). */
  cpuMs: number;
}

/** One side's requests: `prepare` builds the i-th (outside the timing) and returns its sending. */
interface Requests {
  prepare(index: number): () => Promise<void>;
  calls: number;
}

/** The handler, invoked as Lambda invokes it for API Gateway; anything but a 202 fails the run. */
function handlerCaller(handler: Handler): Requests {
  const token = `eyJraWQiOiJiZW5jaCIsImFsZyI6IlJTMjU2In0.${'e'.repeat(900)}.${'s'.repeat(342)}`;
  const side = {
    calls: 0,
    prepare(index: number) {
      side.calls += 1;
      const { phone, profileId } = targetOf(index);
      const event = blockEvent(profileId, phone, randomUUID(), token);
      const context = lambdaContext('consentRequests');
      return async () => {
        const result = await handler(event, context);
        if (result.statusCode !== 202) {
          throw new Error(`The handler answered ${result.statusCode} for ${phone} on ${profileId}: ${String(result.body)}`);
        }
      };
    },
  };
  return side;
}

function blockEvent(profileId: string, phone: string, idempotencyKey: string, token: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  const body = JSON.stringify({ reason: REASON });
  const rawPath = `/profiles/${profileId}/whatsapp/${encodeURIComponent(phone)}/block`;
  const now = Date.now();
  const issuedAt = Math.floor(now / 1000) - 60;
  return {
    version: '2.0',
    routeKey: ROUTE_KEY,
    rawPath,
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      'accept-language': 'en-GB,en;q=0.9',
      authorization: `Bearer ${token}`,
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/json',
      host: 'abc123.execute-api.eu-central-1.amazonaws.com',
      'idempotency-key': idempotencyKey,
      origin: 'https://d111111abcdef8.cloudfront.net',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      'x-amzn-trace-id': `Root=1-${now.toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    pathParameters: { profileId, phone },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-central-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0' },
      requestId: randomUUID(),
      routeKey: ROUTE_KEY,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: {
          // A Cognito access token's claims as the HTTP API's JWT authorizer passes them: all strings.
          claims: {
            sub: EDITOR.sub,
            'cognito:groups': '[whatsapp-blocklist-editors]',
            iss: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Bench0001',
            client_id: '5b2bench0client0id000000000',
            origin_jti: randomUUID(),
            event_id: randomUUID(),
            token_use: 'access',
            scope: 'openid email',
            auth_time: String(issuedAt),
            exp: String(issuedAt + 3600),
            iat: String(issuedAt),
            jti: randomUUID(),
            username: EDITOR.username,
          },
          scopes: [],
        },
      },
    },
  };
}

/** The design's calls for one new request, issued directly with the SDK (see the comment at the top). */
function floorCaller(dynamoDb: DynamoDBClient, sqs: SQSClient, tableName: string, queueUrl: string): Requests {
  const bodyHash = 'f'.repeat(64);
  const side = {
    calls: 0,
    prepare(index: number) {
      side.calls += 1;
      const { phone, profileId } = targetOf(index);
      const key = randomUUID();
      const requestId = `FL00R${String(side.calls).padStart(21, '0')}`;
      return async () => {
        const [, , sequenced] = await Promise.all([
          dynamoDb.send(
            new GetItemCommand({ TableName: tableName, Key: { pk: { S: `IDEMPOTENCY#${EDITOR.sub}#${key}` }, sk: { S: 'KEY' } }, ConsistentRead: true }),
          ),
          dynamoDb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `PROFILE#${profileId}` }, sk: { S: 'PROFILE' } }, ConsistentRead: true })),
          dynamoDb.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: `PHONE#${phone}` }, sk: { S: 'SEQ' } },
              UpdateExpression: 'ADD #value :one',
              ExpressionAttributeNames: { '#value': 'value' },
              ExpressionAttributeValues: { ':one': { N: '1' } },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        ]);
        const sequence = sequenced.Attributes?.['value']?.N ?? '0';
        const requestedAt = new Date().toISOString();
        const nowSeconds = Math.floor(Date.now() / 1000);
        await dynamoDb.send(
          new TransactWriteItemsCommand({
            ClientRequestToken: requestId,
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: { S: `PHONE#${phone}` },
                    sk: { S: `REQ#${requestId}` },
                    requestId: { S: requestId },
                    status: { S: 'pending' },
                    action: { S: 'block' },
                    phone: { S: phone },
                    profileId: { S: profileId },
                    reason: { S: REASON },
                    requestedBy: { M: { type: { S: 'user' }, sub: { S: EDITOR.sub }, username: { S: EDITOR.username } } },
                    requestedAt: { S: requestedAt },
                    sequence: { N: sequence },
                    pendingShard: { S: `PENDING#${side.calls % 4}` },
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: { S: `REQUEST#${requestId}` }, sk: { S: 'REQUEST' }, phone: { S: phone } },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: { S: `IDEMPOTENCY#${EDITOR.sub}#${key}` },
                    sk: { S: 'KEY' },
                    requestId: { S: requestId },
                    bodyHash: { S: bodyHash },
                    expiresAt: { N: String(nowSeconds + 86_400) },
                  },
                  ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
                  ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
                },
              },
            ],
          }),
        );
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify({
              version: 1,
              eventId: requestId,
              requestId,
              source: 'manual',
              action: 'block',
              phone,
              profileId,
              reason: REASON,
              actor: { type: 'user', sub: EDITOR.sub, username: EDITOR.username },
              requestedAt,
              sequence: Number(sequence),
            }),
            MessageGroupId: phone,
            MessageDeduplicationId: requestId,
          }),
        );
      };
    },
  };
  return side;
}

/** `count` requests by `concurrency` callers, each sending its next one when the last is answered. */
async function timedRound(side: Requests, concurrency: number, count: number): Promise<Round> {
  const latencies: number[] = [];
  let started = 0;
  const caller = async () => {
    while (started < count) {
      started += 1;
      const send = side.prepare(side.calls);
      const begin = performance.now();
      await send();
      latencies.push(performance.now() - begin);
    }
  };
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, caller));
  const { user, system } = process.cpuUsage(cpu);
  return { latencies, cpuMs: (user + system) / 1000 };
}

async function seedProfiles(dynamoDb: DynamoDBClient, tableName: string): Promise<void> {
  const items: WriteRequest[] = [];
  for (let profile = 0; profile < PROFILES; profile++) {
    const profileId = profileIdOf(profile);
    const numbers = Array.from({ length: NUMBERS_PER_PROFILE }, (_, offset) => phoneOf(profile * NUMBERS_PER_PROFILE + offset));
    // The items `DynamoProfileStore.replace` writes: the profile, and a holder item per number.
    items.push({
      PutRequest: {
        Item: {
          pk: { S: `PROFILE#${profileId}` },
          sk: { S: 'PROFILE' },
          profileId: { S: profileId },
          whatsappNumbers: { L: numbers.map((phone) => ({ S: phone })) },
          updatedAt: { S: '2026-01-01T00:00:00.000Z' },
          updatedBy: { S: 'adam' },
        },
      },
    });
    for (const phone of numbers) {
      items.push({ PutRequest: { Item: { pk: { S: `PHONE#${phone}` }, sk: { S: `HOLDER#${profileId}` }, phone: { S: phone }, profileId: { S: profileId } } } });
    }
  }
  for (let start = 0; start < items.length; start += 25) {
    let pending: WriteRequest[] | undefined = items.slice(start, start + 25);
    while (pending && pending.length > 0) {
      const result: BatchWriteItemCommandOutput = await dynamoDb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = result.UnprocessedItems?.[tableName];
    }
  }
}

interface FloorSetup {
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueUrl: string;
}

type FloorMessage = { kind: 'round'; concurrency: number; count: number } | { kind: 'calls' };

/** The floor's process: it answers each message of its parent with a round's latencies, or its count of calls. */
export async function floorProcess(): Promise<void> {
  const setup = JSON.parse(process.env['BENCH_API_FLOOR'] ?? '{}') as FloorSetup;
  const dynamoDb = new DynamoDBClient({ ...BOUNDED_CALLS, endpoint: setup.dynamoDbEndpoint });
  const sqs = new SQSClient({ ...BOUNDED_CALLS, endpoint: setup.sqsEndpoint, useQueueUrlAsEndpoint: false });
  const floor = floorCaller(dynamoDb, sqs, setup.tableName, setup.queueUrl);
  process.on('message', (message: FloorMessage) => {
    const answer = message.kind === 'round' ? timedRound(floor, message.concurrency, message.count) : Promise.resolve(floor.calls);
    answer.then(
      (value) => process.send?.({ value }),
      (error: unknown) => process.send?.({ error: String(error instanceof Error ? error.stack : error) }),
    );
  });
  process.on('disconnect', () => {
    dynamoDb.destroy();
    sqs.destroy();
  });
  process.send?.({ value: 'ready' });
}

async function startFloorProcess(setup: FloorSetup): Promise<Side & { calls(): Promise<number>; stop(): Promise<void> }> {
  const child = await startChild("import { floorProcess } from './bench/api.ts'; await floorProcess();", { BENCH_API_FLOOR: JSON.stringify(setup) }, true);
  let queue = Promise.resolve<unknown>(undefined);
  const ask = <T>(message: FloorMessage): Promise<T> => {
    const asked = queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          child.process.once('message', (answer: { value?: T; error?: string }) =>
            answer.error === undefined ? resolve(answer.value as T) : reject(new Error(`The floor failed: ${answer.error}`)),
          );
          child.process.send(message);
        }),
    );
    queue = asked.catch(() => undefined);
    return asked;
  };
  return {
    round: (concurrency, count) => ask<Round>({ kind: 'round', concurrency, count }),
    calls: () => ask<number>({ kind: 'calls' }),
    stop: child.stop,
  };
}

/**
 * fauxqs (`infra/local/sqs-emulator.ts`, on 127.0.0.1) in a process of its own; it stops when its
 * standard input closes, so it never outlives the benchmark.
 */
async function startSqsEmulatorProcess(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const child = await startChild(
    [
      "import { startSqsEmulator } from './infra/local/sqs-emulator.ts';",
      'const emulator = await startSqsEmulator({ port: 0 });',
      'process.stdin.on("end", () => emulator.stop().then(() => process.exit(0)));',
      'process.stdin.resume();',
      'process.stdout.write(emulator.endpoint + "\\n");',
    ].join('\n'),
    {},
    false,
  );
  return { endpoint: child.firstLine, stop: child.stop };
}

/**
 * A Node.js process that runs `script` (an ES module) in the project's directory with this process's
 * loader (tsx), so that it imports the project's TypeScript. It is ready once it writes a first line
 * (or, with `ipc`, sends a first message); it stops when its standard input closes.
 */
async function startChild(script: string, env: Record<string, string>, ipc: boolean) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const stopOnEndOfInput = 'process.stdin.on("end", () => process.exit(0)); process.stdin.resume();\n';
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', (ipc ? stopOnEndOfInput : '') + script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!.trim());
    });
    if (ipc) child.once('message', () => resolve(''));
    child.once('exit', (code) => reject(new Error(`A benchmark process exited with code ${code}: ${stderr.trim()}`)));
    setTimeout(() => reject(new Error('A benchmark process did not start within 30 s')), 30_000).unref();
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return {
    process: child,
    firstLine,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin?.end();
      await exited;
    },
  };
}

/**
 * The function's log lines (Powertools writes the metrics of each invocation to standard output, as
 * CloudWatch reads them) are produced as in Lambda but not shown, so that the table stays readable and
 * the JSON line last.
 */
function quietStdout() {
  const write = process.stdout.write.bind(process.stdout);
  const state = {
    swallowedLines: 0,
    quiet() {
      process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        state.swallowedLines += (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()).split('\n').length - 1;
        const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof process.stdout.write;
    },
    restore() {
      process.stdout.write = write as typeof process.stdout.write;
    },
  };
  return state;
}

interface Sample {
  latencies: number[];
  cpuMs: number;
}

const emptySample = (): Sample => ({ latencies: [], cpuMs: 0 });

interface Summary {
  concurrency: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  rawP50Ms: number;
  rawP99Ms: number;
  overheadP50: number;
  overheadP99: number;
  cpuMsPerRequest: number;
  rawCpuMsPerRequest: number;
}

function summary(concurrency: number, { handler, floor }: { handler: Sample; floor: Sample }): Summary {
  const latencies = [...handler.latencies].sort((a, b) => a - b);
  const rawLatencies = [...floor.latencies].sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5) ?? Number.NaN;
  const p99 = percentile(latencies, 0.99) ?? Number.NaN;
  const rawP50 = percentile(rawLatencies, 0.5) ?? Number.NaN;
  const rawP99 = percentile(rawLatencies, 0.99) ?? Number.NaN;
  return {
    concurrency,
    requests: handler.latencies.length,
    p50Ms: round2(p50),
    p99Ms: round2(p99),
    rawP50Ms: round2(rawP50),
    rawP99Ms: round2(rawP99),
    overheadP50: round2(p50 / rawP50),
    overheadP99: round2(p99 / rawP99),
    cpuMsPerRequest: round2(handler.cpuMs / handler.latencies.length),
    rawCpuMsPerRequest: round2(floor.cpuMs / floor.latencies.length),
  };
}

