import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { blocklistChecker } from '../shared/blocklist.js';
import { median, round1, round2 } from '../scripts/statistics.js';
import { checkBlocklist, type RestrictedState } from '../shared/domain/blocklist-check.js';
import { PROJECTION as LIBRARY_PROJECTION } from '../shared/adapters/blocklist-reader.js';
import type { E164 } from '../shared/domain/phone.js';
import { consentTable } from '../infra/resources.js';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.js';
import { freePort } from '../infra/local/free-port.js';
import { createTable } from '../infra/local/provision.js';
import { batchWriteAll } from './support/batch-write.js';
import { useLocalAwsEnvironment } from './support/local-aws.js';
import { printReport, rssMb } from './support/report.js';
import { timed } from './support/timing.js';
import { scaled } from './support/scale.js';

/**
 * `npm run bench -- check`: the campaign check against DynamoDB Local, three ways in one run.
 *
 * 100,000 consent states are seeded (a tenth blocked, manually or by the provider, and about one in
 * sixteen opted out of marketing); then 10,000 numbers
 * (nine in ten of them seeded, written in assorted formats) are checked by the library, by a naive loop
 * of one GetItem per number, and by the raw floor: plain BatchGetItem calls (whole items) at the
 * library's concurrency, with neither normalisation nor classification. The same raw calls with the
 * library's projection are timed too, so the cost of normalisation shows on its own. The library's answer is compared with the
 * naive loop's before any figure is printed.
 */
// The numbers checked are distinct: a seeded one is the seventh multiple of its index (below SEEDED), a
// number never seen is above SEEDED.
const SEEDED = scaled(100_000, 3_000);
const CHECKED = scaled(10_000, 300);
const CONCURRENCY = 8;
const ROUNDS = scaled(9, 1);

const numberOf = (index: number) => `+42077${String(index).padStart(7, '0')}` as E164;
const isBlocked = (index: number) => index % 10 === 0;
/** One in twenty stopped marketing messages (some of them blocked too). */
const isOptedOut = (index: number) => index % 20 === 5 || index % 40 === 0;

export async function run(): Promise<void> {
  useLocalAwsEnvironment();
  const emulator = await startDynamoDbLocal({ port: await freePort() });
  const client = new DynamoDBClient({ endpoint: emulator.endpoint });
  try {
    const tableName = await createTable(client, consentTable, 'bench-ConsentTable');
    const seedMs = await seed(client, tableName);
    const { inputs, phones } = numbersToCheck();
    const library = blocklistChecker({ tableName, client, concurrency: CONCURRENCY });

    // Warm both paths (connections, JIT), then check that the library is right before timing it.
    const answer = await library.check(inputs);
    await rawBatchGet(client, tableName, phones, {});
    await rawBatchGet(client, tableName, phones, PROJECTION);
    const naive = await timed(() => naiveLoop(client, tableName, phones));
    assertSameAnswer(answer, naive.value);

    const libraryRuns: number[] = [];
    const rawRuns: number[] = [];
    const projectedRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      libraryRuns.push((await timed(() => library.check(inputs))).ms);
      rawRuns.push((await timed(() => rawBatchGet(client, tableName, phones, {}))).ms);
      projectedRuns.push((await timed(() => rawBatchGet(client, tableName, phones, PROJECTION))).ms);
    }
    const libraryMs = median(libraryRuns);
    const rawMs = median(rawRuns);
    const projectedMs = median(projectedRuns);
    const cpuMs = await ownCpuTime(inputs, answer.blocked);

    printReport({
      heading: [`check: ${CHECKED.toLocaleString('en')} numbers against ${SEEDED.toLocaleString('en')} seeded states (seeded in ${Math.round(seedMs)} ms)`],
      table: [
        { way: 'library (normalise, BatchGetItem, classify)', ms: round1(libraryMs), runs: libraryRuns.map(round1).join(' ') },
        { way: 'naive loop, one GetItem per number', ms: round1(naive.ms), runs: '1' },
        { way: 'raw floor: plain BatchGetItem, same concurrency', ms: round1(rawMs), runs: rawRuns.map(round1).join(' ') },
        { way: "raw BatchGetItem with the library's projection", ms: round1(projectedMs), runs: projectedRuns.map(round1).join(' ') },
        { way: "library's own CPU (no I/O)", ms: round1(cpuMs), runs: 'median of 20' },
      ],
      notes: [
        `blocked ${answer.blocked.length}, opted out of marketing ${answer.optedOut.length}, sendable ${answer.sendable.length}, invalid ${answer.invalid.length}`,
        `library / raw floor ${round2(libraryMs / rawMs)}; library / projected BatchGetItem ${round2(libraryMs / projectedMs)}` +
          ' (the same reads; the difference is normalisation, on CPU that DynamoDB Local shares on this machine)',
      ],
      summary: {
        bench: 'check',
        numbers: CHECKED,
        libraryMs: round1(libraryMs),
        naiveMs: round1(naive.ms),
        rawMs: round1(rawMs),
        speedupVsGetItem: round2(naive.ms / libraryMs),
        overheadVsRawBatchGet: round2(libraryMs / rawMs),
        overheadVsProjectedBatchGet: round2(libraryMs / projectedMs),
        libraryCpuMsPer10k: round1(cpuMs),
        rssMb: rssMb(),
      },
    });
  } finally {
    client.destroy();
    await emulator.stop();
  }
}

/** Seeds the states and returns how long it took, the building of the items included. */
async function seed(client: DynamoDBClient, tableName: string): Promise<number> {
  const { ms } = await timed(() => batchWriteAll(client, tableName, seedRequests(), 16));
  return ms;
}

function seedRequests(): WriteRequest[] {
  return Array.from({ length: SEEDED }, (_, index) => ({
    PutRequest: {
      Item: {
        pk: { S: `PHONE#${numberOf(index)}` },
        sk: { S: 'STATE' },
        phone: { S: numberOf(index) },
        blocked: { BOOL: isBlocked(index) },
        source: { S: index % 20 === 0 ? 'automatic' : 'manual' },
        reason: { S: 'seeded by the benchmark' },
        ...(index % 20 === 0 ? { reasonCode: { S: '131026' } } : {}),
        updatedAt: { S: '2026-01-01T00:00:00.000Z' },
        updatedBy: { S: 'bench' },
        version: { N: '1' },
        lastSeq: { N: '1' },
        ...(isOptedOut(index)
          ? { marketingOptOut: { M: { since: { S: '2026-01-01T00:00:00.000Z' }, source: { S: 'user_preferences' }, sender: { S: 'bench' } } } }
          : {}),
      },
    },
  }));
}

/** Nine in ten seeded, one in ten never seen; written as people and systems write them. */
function numbersToCheck(): { inputs: string[]; phones: E164[] } {
  const phones = Array.from({ length: CHECKED }, (_, index) => (index % 10 === 9 ? numberOf(SEEDED + index) : numberOf(index * 7)));
  const formats = [
    (phone: string) => phone,
    (phone: string) => `00${phone.slice(1)}`,
    (phone: string) => `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7, 10)} ${phone.slice(10)}`,
    (phone: string) => phone.slice(1),
  ];
  const inputs = phones.map((phone, index) => formats[index % formats.length]!(phone));
  return { inputs, phones };
}

const PROJECTION = { ProjectionExpression: LIBRARY_PROJECTION, ExpressionAttributeNames: { '#source': 'source' } };

/** The naive loop's answer for a marketing check: the blocked numbers, and the opted-out ones not blocked. */
interface NaiveAnswer {
  blocked: Set<string>;
  optedOut: Set<string>;
}

async function naiveLoop(client: DynamoDBClient, tableName: string, phones: readonly E164[]): Promise<NaiveAnswer> {
  const answer: NaiveAnswer = { blocked: new Set(), optedOut: new Set() };
  for (const phone of phones) {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `PHONE#${phone}` }, sk: { S: 'STATE' } }, ...PROJECTION }),
    );
    if (Item?.['blocked']?.BOOL) answer.blocked.add(phone);
    else if (Item?.['marketingOptOut']?.M?.['since']) answer.optedOut.add(phone);
  }
  return answer;
}

/** BatchGetItem of every number's state, 100 keys a call, at the library's concurrency; nothing else. */
async function rawBatchGet(
  client: DynamoDBClient,
  tableName: string,
  phones: readonly E164[],
  projection: Partial<typeof PROJECTION>,
): Promise<number> {
  let items = 0;
  let next = 0;
  const worker = async () => {
    while (next < phones.length) {
      const chunk = phones.slice(next, (next += 100));
      let pending: KeysAndAttributes | undefined = {
        Keys: chunk.map((phone) => ({ pk: { S: `PHONE#${phone}` }, sk: { S: 'STATE' } })),
        ...projection,
      };
      while (pending?.Keys?.length) {
        const result: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: pending } }));
        items += result.Responses?.[tableName]?.length ?? 0;
        pending = result.UnprocessedKeys?.[tableName];
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return items;
}

/** Normalisation and classification alone: the reader answers from memory. */
async function ownCpuTime(inputs: readonly string[], blocked: readonly { phone: E164 }[]): Promise<number> {
  const states = new Map<E164, RestrictedState>(blocked.map(({ phone }) => [phone, { block: { source: 'manual', reasonCode: undefined }, optedOutSince: undefined }]));
  const reader = {
    restrictedAmong: async (nextChunk: (size: number) => E164[]) => {
      while (nextChunk(100).length > 0);
      return states;
    },
  };
  const runs: number[] = [];
  for (let round = 0; round < 20; round++) runs.push((await timed(() => checkBlocklist(inputs, reader))).ms);
  return median(runs);
}

function assertSameAnswer(
  answer: { blocked: { phone: string }[]; optedOut: { phone: string }[]; sendable: string[]; invalid: string[] },
  naive: NaiveAnswer,
): void {
  const sameSet = (library: { phone: string }[], expected: Set<string>) =>
    library.length === expected.size && library.every((entry) => expected.has(entry.phone));
  const same = sameSet(answer.blocked, naive.blocked) && sameSet(answer.optedOut, naive.optedOut) && naive.optedOut.size > 0;
  if (!same || answer.invalid.length > 0 || answer.blocked.length + answer.optedOut.length + answer.sendable.length !== CHECKED) {
    throw new Error('The library and the naive loop disagree; no figures are printed for a wrong answer.');
  }
}

