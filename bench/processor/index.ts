import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BOUNDED_CALLS } from '../../shared/adapters/bounded-calls.js';
import { auditTable, consentQueue, consentTable } from '../../infra/resources.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { freePort } from '../../infra/local/free-port.js';
import { createTable } from '../../infra/local/provision.js';
import { median, round1, round2 } from '../../scripts/statistics.js';
import { countCalls } from '../support/dynamodb-calls.js';
import { useLocalAwsEnvironment } from '../support/local-aws.js';
import { childCpuTime } from '../support/processes.js';
import { loadAverage, printReport } from '../support/report.js';
import { inTurn } from '../support/timing.js';
import { floorPass } from './floor.js';
import { startHandlerSide, type HandlerSide } from './handler-side.js';
import { GUARD_LIMIT, GUARD_WINDOW_SECONDS, type PassResult, type Tables, type Way } from './pass.js';
import { BATCH_SIZE, IN_FLIGHT } from './queue.js';
import { NUMBERS, plan, seed } from './seed.js';
import { verify } from './verify.js';
import { scaled } from '../support/scale.js';

const ROUNDS = scaled(5, 1);

/**
 * `npm run bench -- processor`: the processor's throughput against DynamoDB Local, beside its raw floor.
 *
 * Each pass sends a few thousand queued events over a few hundred numbers of their own (manual blocks
 * and unblocks of pending requests, `wa_blocked` failures from three senders, some naming two possible
 * numbers, and about one event in twelve delivered again) through the real processor handler, in SQS
 * batches handed out as a FIFO queue would: up to ten records, several numbers a batch, each number's
 * events in order, a number never in two batches at once, `PROCESSOR_MAX_CONCURRENCY` batches in flight.
 *
 * The raw floor is a pass of the same shape on other numbers that issues, for each event, exactly the
 * DynamoDB calls the processor makes, and nothing else: the `isHeld` queries of a failure that names
 * two numbers, the strongly consistent read of the state, the guard's read of its window for a
 * failure that blocks, and one transaction (event marker, audit entry, state, request status, guard
 * bucket), with the processor's retry on a conflict. Its items are built and marshalled before the
 * clock starts; its batches run the way the processor runs them (numbers side by side, each in order).
 *
 * Handler and floor passes alternate (warmed up first), each on fresh numbers and senders in the same
 * tables, and the medians over the rounds are compared. After every pass the tables are checked
 * against what the events must have done: each number's final state, its audit entries, each request's
 * status and each sender's guard count. No figure is printed for a pass that did the wrong thing.
 *
 * Here the passes are run and reported; `seed.ts` plans them (numbers, events, what each must come
 * to), `queue.ts` hands their messages out, `floor.ts` issues the floor's calls, `handler-side.ts`
 * runs the handler's passes in their process, and `verify.ts` checks the tables after each.
 */
export async function run(): Promise<void> {
  useLocalAwsEnvironment();
  const emulator = await startDynamoDbLocal({ port: await freePort() });
  const client = new DynamoDBClient({ ...BOUNDED_CALLS, endpoint: emulator.endpoint });
  let worker: HandlerSide | undefined;
  try {
    const tables: Tables = {
      consent: await createTable(client, consentTable, 'bench-ConsentTable'),
      audit: await createTable(client, auditTable, 'bench-AuditTable'),
    };
    worker = await startHandlerSide({
      AWS_ENDPOINT_URL_DYNAMODB: emulator.endpoint,
      CONSENT_TABLE_NAME: tables.consent,
      AUDIT_TABLE_NAME: tables.audit,
      // The processor reads the queue's address at start, to carry signals to a number its recipient
      // changed to; the bench's numbers never change, and a message sent to this address would fail the pass.
      CONSENT_QUEUE_URL: 'http://127.0.0.1:9/000000000000/bench-ConsentQueue.fifo',
      MAX_RECEIVE_COUNT: String(consentQueue.maxReceiveCount),
      AUTO_BLOCK_GUARD_LIMIT: String(GUARD_LIMIT),
      AUTO_BLOCK_GUARD_WINDOW_SECONDS: String(GUARD_WINDOW_SECONDS),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const floorCalls = countCalls(client);
    const emulatorCpu = childCpuTime('java');

    let passes = 0;
    const measure = async (way: Way) => {
      const request = { index: passes++, startMs: Date.now() - 2 * 24 * 60 * 60 * 1000 };
      const pass = plan(way, request, tables);
      await seed(client, tables.consent, pass.seeds);
      const dbBefore = emulatorCpu();
      const result = way === 'handler' ? await worker!.run(request) : await floorPass(client, tables, pass, floorCalls);
      const dbCpuMs = emulatorCpu() - dbBefore;
      await verify(client, tables, pass);
      return { way, events: pass.queue.length, ...result, dbCpuMs, eventsPerSecond: (pass.queue.length / result.ms) * 1000, pass };
    };

    // Warm both paths (connections, JIT on both sides of the socket); checked, not reported.
    const load = loadAverage();
    await measure('handler');
    await measure('floor');
    const rows: Awaited<ReturnType<typeof measure>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = inTurn<Way>(round, 'handler', 'floor');
      const measured = new Map<Way, Awaited<ReturnType<typeof measure>>>();
      for (const way of order) measured.set(way, await measure(way));
      rows.push(measured.get('handler')!, measured.get('floor')!);
    }

    const handlerRate = median(rows.filter((row) => row.way === 'handler').map((row) => row.eventsPerSecond));
    const floorRate = median(rows.filter((row) => row.way === 'floor').map((row) => row.eventsPerSecond));
    // A round's two passes run back to back, under much the same load from the rest of the machine.
    const ratio = median(rows.flatMap((row, index) => (row.way === 'handler' ? [row.eventsPerSecond / rows[index + 1]!.eventsPerSecond] : [])));
    const sample = rows[0]!.pass;
    const outcomes = countBy(sample.queue.map((planned) => planned.expected));
    const kinds = countBy(
      sample.queue.map((planned) => (planned.event.source === 'manual' ? planned.event.action : planned.event.alternatives.length > 0 ? 'wa_blocked naming two numbers' : 'wa_blocked')),
    );
    const lastHandler = rows.findLast((row) => row.way === 'handler')!;
    const lastFloor = rows.findLast((row) => row.way === 'floor')!;
    const calls = (made: PassResult['calls']) => made.map(([operation, { calls, ms }]) => `${operation} ${calls} (${round1(ms / calls)} ms)`).join(', ');
    printReport({
      heading: [
        `processor: ${sample.queue.length} events a pass over ${NUMBERS} numbers, SQS batches of up to ${BATCH_SIZE}, ${IN_FLIGHT} in flight, DynamoDB Local ` +
          `(${load.note()})`,
        `events: ${describe(kinds)}; outcomes: ${describe(outcomes)}`,
      ],
      table: rows.map((row, index) => {
        const floor = row.way === 'handler' ? rows[index + 1] : undefined;
        return {
          round: Math.floor(index / 2) + 1,
          way: row.way === 'handler' ? 'processor handler' : 'raw floor (same calls)',
          events: row.events,
          ms: Math.round(row.ms),
          eventsPerSecond: Math.round(row.eventsPerSecond),
          ratio: floor ? round2(row.eventsPerSecond / floor.eventsPerSecond) : '',
          nodeCpuMs: Math.round(row.cpuMs),
          dynamoDbLocalCpuMs: Number.isNaN(row.dbCpuMs) ? '' : Math.round(row.dbCpuMs),
        };
      }),
      notes: [
        `DynamoDB calls of the last pass (mean time each): handler ${calls(lastHandler.calls)}; floor ${calls(lastFloor.calls)}`,
        `medians: handler ${Math.round(handlerRate)} events/s, raw floor ${Math.round(floorRate)} events/s; ` +
          `ratio to the floor ${round2(ratio)} (median of the rounds' ratios; ${round2(handlerRate / floorRate)} between the medians)`,
      ],
      summary: {
        bench: 'processor',
        events: sample.queue.length,
        eventsPerSecond: Math.round(handlerRate),
        rawEventsPerSecond: Math.round(floorRate),
        ratioToRaw: round2(ratio),
        numbers: NUMBERS,
        rounds: ROUNDS,
        batchesInFlight: IN_FLIGHT,
        handlerCpuMsPerEvent: round2(median(rows.filter((row) => row.way === 'handler').map((row) => row.cpuMs / row.events))),
        floorCpuMsPerEvent: round2(median(rows.filter((row) => row.way === 'floor').map((row) => row.cpuMs / row.events))),
        loadAverage: round2(load.now()),
      },
    });
  } finally {
    await worker?.stop();
    client.destroy();
    await emulator.stop();
  }
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

const describe = (counts: ReadonlyMap<string, number>) => [...counts].map(([name, count]) => `${name} ${count}`).join(', ');
