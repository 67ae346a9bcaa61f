import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BOUNDED_CALLS } from '../../shared/adapters/bounded-calls.js';
import { ENV } from '../../shared/config.js';
import { consentQueue, consentTable } from '../../infra/resources.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { freePort } from '../../infra/local/free-port.js';
import { createTable } from '../../infra/local/provision.js';
import { useLocalAwsEnvironment } from '../support/local-aws.js';
import { printReport } from '../support/report.js';
import { inTurn } from '../support/timing.js';
import { startFloorProcess } from './floor.js';
import { handlerCaller, quietStdout, type Handler } from './handler-side.js';
import { closedLoopRound, type Side } from './round.js';
import { seedProfiles } from './seed.js';
import { emptySample, summary, type Sample } from './summary.js';
import { startSqsEmulatorProcess } from './sqs-emulator.js';
import { scaled } from '../support/scale.js';

const CONCURRENCIES = [1, 4, 16] as const;
const ROUNDS = scaled(10, 1);
/** Requests of each kind per round and concurrency. */
const PER_ROUND = scaled(64, 8);
const WARM_UP_ROUNDS = scaled(3, 1);

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
 *
 * Here the rounds are run and reported; `seed.ts` seeds the profiles and picks each request's number,
 * `handler-side.ts` builds the handler's events, `floor.ts` is the floor and its process, `round.ts` the
 * closed loop both sides run, `summary.ts` the percentiles and ratios, and `sqs-emulator.ts` fauxqs's process.
 */
export async function run(): Promise<void> {
  useLocalAwsEnvironment();
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
    const { handler } = (await import('../../functions/consent-requests/handler.js')) as unknown as { handler: Handler };

    const viaHandler = handlerCaller(handler);
    const floor = await startFloorProcess({ dynamoDbEndpoint: dynamoDbLocal.endpoint, sqsEndpoint: sqsEmulator.endpoint, tableName, queueUrl });
    stopFloor = floor.stop;
    const sides: Record<'handler' | 'floor', Side> = { handler: { round: (concurrency, count) => closedLoopRound(viaHandler, concurrency, count) }, floor };

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
        const order = inTurn(round + concurrency, 'handler' as const, 'floor' as const);
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
    printReport({
      heading: [
        `api: block requests through the consent-requests handler vs the raw floor of the same calls; ` +
          `${ROUNDS} interleaved rounds of ${PER_ROUND} per side and concurrency after ${WARM_UP_ROUNDS} warm-up rounds`,
      ],
      table: rows.map((row) => ({
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
      notes: [
        `all concurrencies: handler p50 ${all.p50Ms} ms, p99 ${all.p99Ms} ms; floor p50 ${all.rawP50Ms} ms, p99 ${all.rawP99Ms} ms; ` +
          `p50 ratio ${all.overheadP50}; CPU of its own process per request: handler ${all.cpuMsPerRequest} ms, floor ${all.rawCpuMsPerRequest} ms. Every request answered 202; ${queued} events queued; the function wrote ${logLines} log lines (its metrics; overlapping invocations share a line).`,
      ],
      summary: {
        bench: 'api',
        requests: all.requests,
        p50Ms: all.p50Ms,
        p99Ms: all.p99Ms,
        rawP50Ms: all.rawP50Ms,
        rawP99Ms: all.rawP99Ms,
        overheadP50: all.overheadP50,
        byConcurrency: rows,
      },
    });
  } finally {
    output.restore();
    await stopFloor();
    dynamoDb.destroy();
    sqs.destroy();
    await Promise.all([dynamoDbLocal.stop(), sqsEmulator.stop()]);
  }
}
