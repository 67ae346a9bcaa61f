import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  type KeysAndAttributes,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type TransactWriteItem,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { transition, type ConsentState, type Transition } from '../shared/domain/consent-state.js';
import { auditEntryOf } from '../shared/domain/apply-consent-event.js';
import { batchWriteAll } from './batch-write.js';
import { median, round1, round2 } from '../scripts/statistics.js';
import type { AutomaticConsentEvent, ConsentEvent, ManualConsentEvent } from '../shared/domain/consent-event.js';
import { eventIdFrom } from '../shared/domain/event-id.js';
import { normalisePhone, type E164 } from '../shared/domain/phone.js';
import { recipientCandidates } from '../shared/domain/whatsapp/recipient.js';
import { keys } from '../shared/adapters/keys.js';
import { auditTable, consentQueue, consentTable, PROCESSOR_MAX_CONCURRENCY } from '../infra/resources.js';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { freePort } from '../infra/local/free-port.js';
import { createTable } from '../infra/local/provision.js';
import { lambdaContext } from '../infra/local/lambda-context.js';
import { sqsRecord } from '../test/support/sqs-records.js';

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
 */
const NUMBERS = 320;
const ROUNDS = 5;
const BATCH_SIZE = 10;
const IN_FLIGHT = PROCESSOR_MAX_CONCURRENCY;
const SENDERS = 3;
const GUARD_LIMIT = 500;
const GUARD_WINDOW_SECONDS = 600;
/** The ledger's marker lifetime and the processor's conflict retries (`apply-consent-event.ts`). */
const MARKER_TTL_SECONDS = 90 * 24 * 60 * 60;
const MAX_ATTEMPTS = 8;
const RETRY_PAUSE_MS = 20;

type Way = 'handler' | 'floor';
type Expected = 'applied' | 'unchanged' | 'superseded' | 'duplicate';

/** One queued message, with what the floor issues for it and what the processor must make of it. */
interface Planned {
  record: SQSRecord;
  group: E164;
  event: ConsentEvent;
  expected: Expected;
  holderQueries: QueryCommandInput[];
  stateGet: GetItemCommandInput;
  guardSender: string | undefined;
  items: TransactWriteItem[];
}

interface Pass {
  way: Way;
  index: number;
  /** Arrival order on the queue. */
  queue: Planned[];
  byMessageId: Map<string, Planned>;
  seeds: WriteRequest[];
  finalStates: Map<E164, ConsentState>;
  senders: string[];
}

interface Tables {
  consent: string;
  audit: string;
}

/** Set in the process that runs the handler's passes. */
const WORKER = 'BENCH_PROCESSOR_HANDLER_PASSES';

interface PassRequest {
  index: number;
  startMs: number;
}

type Calls = Map<string, { calls: number; ms: number }>;

interface PassResult {
  ms: number;
  cpuMs: number;
  calls: [string, { calls: number; ms: number }][];
}

export async function run(): Promise<void> {
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
  const emulator = await startDynamoDbLocal({ port: await freePort() });
  const client = new DynamoDBClient({ endpoint: emulator.endpoint, maxAttempts: 3, requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 } });
  let worker: HandlerWorker | undefined;
  try {
    const tables: Tables = {
      consent: await createTable(client, consentTable, 'bench-ConsentTable'),
      audit: await createTable(client, auditTable, 'bench-AuditTable'),
    };
    worker = await startHandlerWorker({
      AWS_ENDPOINT_URL_DYNAMODB: emulator.endpoint,
      CONSENT_TABLE_NAME: tables.consent,
      AUDIT_TABLE_NAME: tables.audit,
      MAX_RECEIVE_COUNT: String(consentQueue.maxReceiveCount),
      AUTO_BLOCK_GUARD_LIMIT: String(GUARD_LIMIT),
      AUTO_BLOCK_GUARD_WINDOW_SECONDS: String(GUARD_WINDOW_SECONDS),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const floorCalls = countCalls(client);
    const emulatorCpu = childCpu('java');

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
    const loadBefore = loadavg()[0]!;
    await measure('handler');
    await measure('floor');
    const rows: Awaited<ReturnType<typeof measure>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order: Way[] = round % 2 === 0 ? ['handler', 'floor'] : ['floor', 'handler'];
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
    console.log(
      `processor: ${sample.queue.length} events a pass over ${NUMBERS} numbers, SQS batches of up to ${BATCH_SIZE}, ${IN_FLIGHT} in flight, DynamoDB Local ` +
        `(load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after)`,
    );
    console.log(`events: ${describe(kinds)}; outcomes: ${describe(outcomes)}`);
    console.table(
      rows.map((row, index) => {
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
    );
    const lastHandler = rows.findLast((row) => row.way === 'handler')!;
    const lastFloor = rows.findLast((row) => row.way === 'floor')!;
    const calls = (made: PassResult['calls']) => made.map(([operation, { calls, ms }]) => `${operation} ${calls} (${round1(ms / calls)} ms)`).join(', ');
    console.log(`DynamoDB calls of the last pass (mean time each): handler ${calls(lastHandler.calls)}; floor ${calls(lastFloor.calls)}`);
    console.log(
      `medians: handler ${Math.round(handlerRate)} events/s, raw floor ${Math.round(floorRate)} events/s; ` +
        `ratio to the floor ${round2(ratio)} (median of the rounds' ratios; ${round2(handlerRate / floorRate)} between the medians)`,
    );
    console.log(
      JSON.stringify({
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
        loadAverage: round2(loadavg()[0]!),
      }),
    );
  } finally {
    await worker?.stop();
    client.destroy();
    await emulator.stop();
  }
}

/** A floor pass, in this process, which never loads the processor's modules. */
async function floorPass(client: DynamoDBClient, tables: Tables, pass: Pass, calls: Calls): Promise<PassResult> {
  calls.clear();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drain(pass.queue, (records) => floorBatch(client, tables, pass, records));
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  return { ms, cpuMs: (user + system) / 1000, calls: [...calls] };
}

interface HandlerWorker {
  run(request: PassRequest): Promise<PassResult>;
  stop(): Promise<void>;
}

/**
 * The handler's passes run in a process of their own, with the environment the processor reads when it
 * starts, as in Lambda: what its modules do to a process stays there, and the floor's process stays as
 * plain as a client of DynamoDB can be.
 */
async function startHandlerWorker(settings: Record<string, string>): Promise<HandlerWorker> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings, [WORKER]: '1' };
  const child = fork(fileURLToPath(import.meta.url), [], {
    env,
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the handler's process exited with code ${code}`))));
  exited.catch(() => undefined);
  const nextMessage = () => Promise.race([new Promise<WorkerMessage>((resolve) => child.once('message', (message) => resolve(message as WorkerMessage))), exited]);
  const ready = await nextMessage();
  if (!('ready' in ready)) throw new Error('the handler\'s process did not start');
  return {
    async run(request) {
      child.send(request);
      const answer = await nextMessage();
      if ('error' in answer) throw new Error(`handler pass failed: ${answer.error}`);
      if (!('result' in answer)) throw new Error('unexpected answer from the handler\'s process');
      return answer.result;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await Promise.race([gone, delay(5_000).then(() => child.kill())]);
    },
  };
}

type WorkerMessage = { ready: true } | { result: PassResult } | { error: string };

/** The handler's process: each request is a pass through the real handler, timed here. */
async function serveHandlerPasses(): Promise<void> {
  const tables: Tables = { consent: process.env['CONSENT_TABLE_NAME']!, audit: process.env['AUDIT_TABLE_NAME']! };
  const { handler } = await import('../functions/processor/handler.js');
  const { dynamoDbClient } = await import('../shared/adapters/dynamodb-client.js');
  const calls = countCalls(dynamoDbClient);
  const send = (message: WorkerMessage) => process.send!(message);
  process.on('message', (request: PassRequest) => {
    void (async () => {
      try {
        const pass = plan('handler', request, tables);
        calls.clear();
        const cpu = process.cpuUsage();
        const started = performance.now();
        await drain(pass.queue, (records) => handlerBatch(handler, records));
        const ms = performance.now() - started;
        const { user, system } = process.cpuUsage(cpu);
        send({ result: { ms, cpuMs: (user + system) / 1000, calls: [...calls] } });
      } catch (error) {
        send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  process.once('disconnect', () => process.exit(0));
  send({ ready: true });
}

/**
 * CPU time (ms) so far of this process's child with that command name (DynamoDB Local's JVM), from
 * Linux's `/proc`; NaN elsewhere.
 */
function childCpu(command: string): () => number {
  const ticksPerMs = 100 / 1000;
  const pid = readdirSync('/proc', { withFileTypes: true })
    .filter((entry) => /^\d+$/.test(entry.name))
    .find((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry.name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return stat.includes(`(${command})`) && Number(fields[1]) === process.pid;
      } catch {
        return false;
      }
    })?.name;
  return () => {
    if (!pid) return Number.NaN;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    } catch {
      return Number.NaN;
    }
  };
}

// ---------------------------------------------------------------------------------------------------
// The events

/** A small seeded generator, so that every pass has the same shape. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function e164(text: string): E164 {
  const parsed = normalisePhone(text);
  if (!parsed.ok || parsed.phone !== text) throw new Error(`bench number ${text} is not E.164`);
  return parsed.phone;
}

/**
 * The pass's numbers: Czech mobiles, and one in ten a Brazilian WhatsApp id in the old eight-digit form,
 * which stands for the mobile with the extra 9 (held by a profile) or for the landline as written.
 */
function numberOf(pass: number, index: number): { phone: E164; alternatives: E164[]; recipientId: string } {
  const serial = String(pass * 1000 + index).padStart(7, '0');
  if (index % 10 !== 0) {
    const phone = e164(`+42077${serial}`);
    return { phone, alternatives: [], recipientId: phone.slice(1) };
  }
  const recipientId = `55117${serial}`;
  const [phone, ...alternatives] = recipientCandidates(recipientId);
  if (!phone || alternatives.length !== 1) throw new Error(`bench id ${recipientId} does not name two numbers`);
  return { phone, alternatives, recipientId };
}

/**
 * A number's events, oldest first: manual blocks and unblocks (each of a pending request), and provider
 * failures, minutes apart, with about one in twelve delivered once more a little later (the sweeper's
 * resend of a pending request, or a callback Meta delivered twice).
 */
function eventsOf(pass: number, index: number, senders: readonly string[], startMs: number): { event: ConsentEvent; receiveCount: number }[] {
  const next = random(index + 1);
  const { phone, alternatives, recipientId } = numberOf(pass, index);
  const count = 8 + (index % 7);
  const events: { event: ConsentEvent; receiveCount: number }[] = [];
  const later: { event: ConsentEvent; due: number }[] = [];
  let atMs = startMs + Math.floor(next() * 60_000);
  let sequence = 0;
  for (let step = 0; step < count; step++) {
    atMs += 30_000 + Math.floor(next() * 90_000);
    const roll = next();
    let event: ConsentEvent;
    if (roll < 0.64) {
      const id = `bench-${pass}-${index}-${step}`;
      event = {
        version: 1,
        eventId: id,
        requestId: id,
        source: 'manual',
        action: roll < 0.34 ? 'block' : 'unblock',
        phone,
        profileId: `bench-profile-${pass}-${index}`,
        reason: roll < 0.34 ? 'Asked us to stop, by phone' : 'Customer asked to receive messages again',
        actor: { type: 'user', sub: `sub-editor-${index % 7}`, username: `editor${index % 7}` },
        requestedAt: new Date(atMs).toISOString(),
        sequence: ++sequence,
      } satisfies ManualConsentEvent;
    } else {
      const sender = senders[Math.floor(next() * senders.length)]!;
      const providerMessageId = `wamid.bench-${pass}-${index}-${step}`;
      event = {
        version: 1,
        eventId: eventIdFrom(providerMessageId, 'failed'),
        source: 'automatic',
        action: 'wa_blocked',
        phone,
        alternatives,
        recipientId,
        reasonCode: '131026',
        reason: 'Message undeliverable.',
        actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: sender, displayPhoneNumber: '5511962185237' },
        providerMessageId,
        occurredAt: new Date(Math.floor(atMs / 1000) * 1000).toISOString(),
      } satisfies AutomaticConsentEvent;
    }
    events.push({ event, receiveCount: 1 });
    if (next() < 0.085) later.push({ event, due: step + 1 + Math.floor(next() * 3) });
    for (const duplicate of later.filter((entry) => entry.due === step)) events.push({ event: duplicate.event, receiveCount: next() < 0.3 ? 2 : 1 });
  }
  for (const duplicate of later.filter((entry) => entry.due >= count)) events.push({ event: duplicate.event, receiveCount: 1 });
  return events;
}

/**
 * A pass: its events in the order they arrive on the queue (the numbers' timelines interleaved), with
 * what each must come to, and the floor's calls for each, from the processor's decisions played out in
 * memory on each number's events in order.
 */
function plan(way: Way, { index, startMs }: PassRequest, tables: Tables): Pass {
  const senders = Array.from({ length: SENDERS }, (_, sender) => `1098765432${String(index).padStart(3, '0')}${sender}`);
  const appliedAt = new Date().toISOString();
  const nowSeconds = Math.floor(Date.now() / 1000);
  const arrivals: { planned: Planned; at: number }[] = [];
  const seeds: WriteRequest[] = [];
  const finalStates = new Map<E164, ConsentState>();
  for (let number = 0; number < NUMBERS; number++) {
    const events = eventsOf(index, number, senders, startMs);
    const { phone, alternatives } = numberOf(index, number);
    if (alternatives.length > 0) {
      seeds.push({ PutRequest: { Item: marshall({ ...keys.holder(phone, `bench-profile-${index}-${number}`), profileId: `bench-profile-${index}-${number}`, phone }) } });
    }
    let current: ConsentState | undefined;
    const applied = new Set<string>();
    for (const [position, { event, receiveCount }] of events.entries()) {
      if (event.source === 'manual' && !applied.has(event.eventId)) seeds.push({ PutRequest: { Item: marshall(requestItem(event)) } });
      const decided = transition(current, event, appliedAt);
      const duplicate = applied.has(event.eventId);
      const blocks = decided.newlyBlocked && event.source === 'automatic' && event.action === 'wa_blocked' && !event.release;
      const messageId = `${way}-${index}-${number}-${position}`;
      const planned: Planned = {
        record: sqsRecord(JSON.stringify(event), { groupId: phone, messageId, receiveCount }),
        group: phone,
        event,
        expected: duplicate ? 'duplicate' : decided.outcome,
        holderQueries: event.source === 'automatic' && event.alternatives.length > 0 ? [phone, ...event.alternatives].map((candidate) => holderQuery(tables, candidate)) : [],
        stateGet: { TableName: tables.consent, Key: marshall(keys.state(phone)), ConsistentRead: true },
        guardSender: blocks ? event.actor.phoneNumberId : undefined,
        items: ledgerItems(tables, event, current?.version, decided, appliedAt, nowSeconds),
      };
      if (!duplicate) {
        applied.add(event.eventId);
        if (decided.next) current = decided.next;
      }
      arrivals.push({ planned, at: position * 100_000 + ((number * 7919) % 100_000) });
    }
    if (current) finalStates.set(phone, current);
  }
  arrivals.sort((a, b) => a.at - b.at);
  const queue = arrivals.map((arrival) => arrival.planned);
  return { way, index, queue, byMessageId: new Map(queue.map((planned) => [planned.record.messageId, planned])), seeds, finalStates, senders };
}

function requestItem(event: ManualConsentEvent): Record<string, unknown> {
  return {
    ...keys.request(event.phone, event.requestId),
    requestId: event.requestId,
    status: 'pending',
    action: event.action,
    phone: event.phone,
    profileId: event.profileId,
    reason: event.reason,
    requestedBy: event.actor,
    requestedAt: event.requestedAt,
    sequence: event.sequence,
    pendingShard: keys.pendingShard(event.requestId),
  };
}

// ---------------------------------------------------------------------------------------------------
// The floor's calls, as the adapters make them (`profile-store.ts` isHeld, `consent-state-store.ts`,
// `guard-counter.ts`, `event-ledger.ts`)

function holderQuery(tables: Tables, phone: E164): QueryCommandInput {
  return {
    TableName: tables.consent,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: marshall({ ':pk': keys.phonePartition(phone), ':prefix': keys.holderPrefix }),
    ProjectionExpression: 'pk',
    Limit: 1,
  };
}

function ledgerItems(tables: Tables, event: ConsentEvent, expectedVersion: number | undefined, decided: Transition, appliedAt: string, nowSeconds: number): TransactWriteItem[] {
  const next = decided.next;
  const audit = auditEntryOf(event, appliedAt, decided.outcome);
  const after =
    decided.outcome === 'applied' && next
      ? { blocked: next.blocked, source: next.source ?? null, marketingOptOut: next.marketingOptOut ? { since: next.marketingOptOut.since, source: next.marketingOptOut.source } : null, version: next.version }
      : undefined;
  const items: TransactWriteItem[] = [
    {
      Put: {
        TableName: tables.consent,
        Item: marshall({ ...keys.appliedEvent(event.phone, event.eventId), eventId: event.eventId, expiresAt: nowSeconds + MARKER_TTL_SECONDS }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: tables.audit,
        Item: marshall({ ...keys.audit(event.phone, audit.requestedAt, event.eventId), ...audit, ...(after ? { after } : {}) }, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  if (next) {
    const listed = next.blocked && next.updatedAt !== undefined ? { listName: keys.blockedShard(next.phone), listedAt: next.updatedAt } : {};
    items.push({
      Put: {
        TableName: tables.consent,
        Item: marshall({ ...keys.state(next.phone), ...next, ...listed }, { removeUndefinedValues: true }),
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: marshall({ ':expected': expectedVersion }) }),
      },
    });
  }
  if (event.source === 'manual') {
    items.push({
      Update: {
        TableName: tables.consent,
        Key: marshall(keys.request(event.phone, event.requestId)),
        UpdateExpression: 'SET #status = :status, appliedAt = :appliedAt REMOVE pendingShard',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({ ':status': decided.outcome, ':appliedAt': appliedAt }),
      },
    });
  }
  return items;
}

/** The guard's read of the sender's window, and its two items, from the counts read (`event-ledger.ts`). */
async function guardItems(client: DynamoDBClient, tables: Tables, sender: string): Promise<TransactWriteItem[]> {
  const bucketSeconds = Math.max(1, Math.ceil(GUARD_WINDOW_SECONDS / 10));
  const current = Math.floor(Date.now() / (bucketSeconds * 1000));
  const buckets = Array.from({ length: 10 }, (_, back) => current - back);
  const counts = new Map<string, number>();
  let pending: KeysAndAttributes | undefined = {
    Keys: buckets.map((bucket) => ({ pk: { S: `GUARD#${sender}` }, sk: { S: `BUCKET#${bucket}` } })),
    ConsistentRead: true,
  };
  while (pending?.Keys?.length) {
    const result: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [tables.consent]: pending } }));
    for (const item of result.Responses?.[tables.consent] ?? []) counts.set(item['sk']!.S!, Number(item['count']?.N ?? 0));
    pending = result.UnprocessedKeys?.[tables.consent];
  }
  const earlierUsed = buckets.slice(1).reduce((sum, bucket) => sum + (counts.get(`BUCKET#${bucket}`) ?? 0), 0);
  if (earlierUsed + (counts.get(`BUCKET#${current}`) ?? 0) >= GUARD_LIMIT) throw new Error('the bench filled a guard window');
  const seen = counts.get(`BUCKET#${current - 1}`) ?? 0;
  const counter = { '#count': 'count' };
  return [
    {
      Update: {
        TableName: tables.consent,
        Key: { pk: { S: `GUARD#${sender}` }, sk: { S: `BUCKET#${current}` } },
        UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :room',
        ExpressionAttributeNames: counter,
        ExpressionAttributeValues: { ':one': { N: '1' }, ':expiresAt': { N: String((current + 11) * bucketSeconds) }, ':room': { N: String(GUARD_LIMIT - earlierUsed) } },
      },
    },
    {
      ConditionCheck: {
        TableName: tables.consent,
        Key: { pk: { S: `GUARD#${sender}` }, sk: { S: `BUCKET#${current - 1}` } },
        ...(seen === 0
          ? { ConditionExpression: 'attribute_not_exists(#count)', ExpressionAttributeNames: counter }
          : { ConditionExpression: '#count = :seen', ExpressionAttributeNames: counter, ExpressionAttributeValues: { ':seen': { N: String(seen) } } }),
      },
    },
  ];
}

/** One event's calls, retried as the processor retries a conflict; a cancelled duplicate ends it. */
async function floorEvent(client: DynamoDBClient, tables: Tables, planned: Planned): Promise<void> {
  if (planned.holderQueries.length > 0) await Promise.all(planned.holderQueries.map((query) => client.send(new QueryCommand(query))));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (attempt > 1) await delay(Math.random() * RETRY_PAUSE_MS * attempt);
    await client.send(new GetItemCommand(planned.stateGet));
    const items = planned.guardSender ? [...planned.items, ...(await guardItems(client, tables, planned.guardSender))] : planned.items;
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      if (codes[0] === 'ConditionalCheckFailed' || codes[1] === 'ConditionalCheckFailed') return;
      if (!codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) throw error;
    }
  }
  throw new Error(`floor: ${planned.event.eventId} kept conflicting`);
}

/** A batch as the processor works on it: its numbers side by side, each number's events in order. */
async function floorBatch(client: DynamoDBClient, tables: Tables, pass: Pass, records: readonly SQSRecord[]): Promise<number> {
  const groups = new Map<string, Planned[]>();
  for (const record of records) {
    const planned = pass.byMessageId.get(record.messageId)!;
    const group = groups.get(planned.group);
    if (group) group.push(planned);
    else groups.set(planned.group, [planned]);
  }
  await Promise.all([...groups.values()].map(async (group) => {
    for (const planned of group) await floorEvent(client, tables, planned);
  }));
  return 0;
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

async function handlerBatch(handler: Handler, records: SQSRecord[]): Promise<number> {
  const response = await handler({ Records: records }, lambdaContext('processor'));
  return response.batchItemFailures.length;
}

// ---------------------------------------------------------------------------------------------------
// The queue

/**
 * Hands the pass's messages out as an SQS FIFO queue hands them to the event source: a batch takes, from
 * the oldest message on, up to ten messages whose number has no message in flight and none waiting
 * ahead of them; `IN_FLIGHT` batches are processed at once. A failed record fails the pass.
 */
async function drain(queue: readonly Planned[], work: (records: SQSRecord[]) => Promise<number>): Promise<void> {
  const taken = new Array<boolean>(queue.length).fill(false);
  const inFlight = new Set<string>();
  let head = 0;
  let left = queue.length;
  let wake: () => void = () => undefined;
  const take = (): Planned[] => {
    const batch: Planned[] = [];
    const blocked = new Set<string>();
    while (head < queue.length && taken[head]) head++;
    for (let index = head; index < queue.length && batch.length < BATCH_SIZE; index++) {
      if (taken[index]) continue;
      const planned = queue[index]!;
      if (inFlight.has(planned.group) || blocked.has(planned.group)) {
        blocked.add(planned.group);
        continue;
      }
      taken[index] = true;
      batch.push(planned);
    }
    for (const planned of batch) inFlight.add(planned.group);
    left -= batch.length;
    return batch;
  };
  const worker = async () => {
    while (left > 0) {
      const batch = take();
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous();
            resolve();
          };
        });
        continue;
      }
      const failed = await work(batch.map((planned) => planned.record));
      if (failed > 0) throw new Error(`${failed} records of a batch failed`);
      for (const planned of batch) inFlight.delete(planned.group);
      const waiting = wake;
      wake = () => undefined;
      waiting();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

// ---------------------------------------------------------------------------------------------------
// Seeding, checking, counting

async function seed(client: DynamoDBClient, tableName: string, requests: readonly WriteRequest[]): Promise<void> {
  await batchWriteAll(client, tableName, requests, 8);
}

async function batchGet(client: DynamoDBClient, tableName: string, keyList: readonly Record<string, AttributeValue>[]): Promise<Record<string, AttributeValue>[]> {
  const found: Record<string, AttributeValue>[] = [];
  for (let start = 0; start < keyList.length; start += 100) {
    let pending: KeysAndAttributes | undefined = { Keys: keyList.slice(start, start + 100), ConsistentRead: true };
    while (pending?.Keys?.length) {
      const result: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: pending } }));
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName];
    }
  }
  return found;
}

/**
 * What the pass must have left: every number's final state, one audit entry per event (none for a
 * duplicate), every request settled with its event's outcome, and each sender's guard count equal to
 * the automatic blocks it made.
 */
async function verify(client: DynamoDBClient, tables: Tables, pass: Pass): Promise<void> {
  const problems: string[] = [];
  const states = await batchGet(client, tables.consent, [...pass.finalStates.keys()].map((phone) => marshall(keys.state(phone))));
  const stored = new Map(states.map((item) => [item['phone']!.S!, item]));
  for (const [phone, expected] of pass.finalStates) {
    const item = stored.get(phone);
    const actual = item && { blocked: item['blocked']?.BOOL, version: Number(item['version']?.N), source: item['source']?.S };
    const wanted = { blocked: expected.blocked, version: expected.version, source: expected.source };
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`state of ${phone}: ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  }

  const auditExpected = new Map<E164, number>();
  for (const planned of pass.queue) if (planned.expected !== 'duplicate') auditExpected.set(planned.group, (auditExpected.get(planned.group) ?? 0) + 1);
  const phones = [...auditExpected.keys()];
  let nextPhone = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (nextPhone < phones.length) {
        const phone = phones[nextPhone++]!;
        const { Count } = await client.send(
          new QueryCommand({ TableName: tables.audit, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `PHONE#${phone}` } }, Select: 'COUNT', ConsistentRead: true }),
        );
        if (Count !== auditExpected.get(phone)) problems.push(`audit of ${phone}: ${Count} entries, expected ${auditExpected.get(phone)}`);
      }
    }),
  );

  const requestOutcome = new Map<string, { phone: E164; outcome: Expected }>();
  for (const planned of pass.queue) {
    if (planned.event.source === 'manual' && planned.expected !== 'duplicate') requestOutcome.set(planned.event.requestId, { phone: planned.group, outcome: planned.expected });
  }
  const requests = await batchGet(client, tables.consent, [...requestOutcome].map(([requestId, { phone }]) => marshall(keys.request(phone, requestId))));
  if (requests.length !== requestOutcome.size) problems.push(`${requests.length} requests found, expected ${requestOutcome.size}`);
  for (const item of requests) {
    const expected = requestOutcome.get(item['requestId']!.S!)?.outcome;
    if (item['status']?.S !== expected || item['pendingShard']) problems.push(`request ${item['requestId']!.S}: ${item['status']?.S}, expected ${expected}`);
  }

  for (const sender of pass.senders) {
    const { Items = [] } = await client.send(
      new QueryCommand({ TableName: tables.consent, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `GUARD#${sender}` } }, ConsistentRead: true }),
    );
    const counted = Items.reduce((sum, item) => sum + Number(item['count']?.N ?? 0), 0);
    const blocks = pass.queue.filter((planned) => planned.expected === 'applied' && planned.guardSender === sender).length;
    if (counted !== blocks) problems.push(`guard of ${sender}: counted ${counted}, expected ${blocks}`);
  }

  if (problems.length > 0) {
    throw new Error(`The ${pass.way} pass left the tables wrong (${problems.length} problems); no figures are printed for it:\n${problems.slice(0, 10).join('\n')}`);
  }
}

/** Counts the DynamoDB operations a client sends (one per call, before the SDK's own retries), and their time. */
function countCalls(client: DynamoDBClient): Map<string, { calls: number; ms: number }> {
  const counts = new Map<string, { calls: number; ms: number }>();
  client.middlewareStack.add(
    (next) => async (args) => {
      const target = (args.request as { headers?: Record<string, string> } | undefined)?.headers?.['x-amz-target'];
      const operation = target?.split('.')[1] ?? 'unknown';
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        const count = counts.get(operation) ?? { calls: 0, ms: 0 };
        counts.set(operation, { calls: count.calls + 1, ms: count.ms + performance.now() - started });
      }
    },
    { step: 'build', name: 'benchCallCounter' },
  );
  return counts;
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

const describe = (counts: ReadonlyMap<string, number>) => [...counts].map(([name, count]) => `${name} ${count}`).join(', ');


if (process.env[WORKER] === '1') await serveHandlerPasses();
