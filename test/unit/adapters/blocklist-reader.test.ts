import { jest } from '@jest/globals';
import fc from 'fast-check';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BatchGetItemCommand,
  DynamoDBClient,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { RestrictedState } from '../../../shared/domain/blocklist-check.js';
import type { ConsentSource } from '../../../shared/domain/consent-state.js';
import type { E164 } from '../../../shared/domain/phone.js';
import { e164 } from '../support/samples.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { DynamoBlocklistReader, UnprocessedKeysError } = await import('../../../shared/adapters/blocklist-reader.js');
const { blocklistChecker } = await import('../../../shared/blocklist.js');

const TABLE = 'consent-table';
const PROJECTION = 'pk, blocked, #source, reasonCode, marketingOptOut.since';

/** What these tests know of a blocked number. */
type BlockedState = { source: ConsentSource; reasonCode: string | undefined };

/** The blocked numbers of a reader's answer, with their blocks (these tests seed no opt-outs). */
async function blockedAmong(reader: { restrictedAmong(next: (size: number) => E164[]): Promise<Map<E164, RestrictedState>> }, next: (size: number) => E164[]): Promise<Map<E164, BlockedState>> {
  const restricted = await reader.restrictedAmong(next);
  return new Map([...restricted].flatMap(([phone, state]) => (state.block ? [[phone, state.block] as const] : [])));
}
const client = new DynamoDBClient({ region: 'us-east-1' });
const dynamoDb = mockClient(client);

type Key = Record<string, AttributeValue>;
type Item = Record<string, AttributeValue>;

/** `count` distinct valid Czech mobile numbers, `+420777100000`, `+420777100001`, … */
function czechNumbers(count: number, from = 100_000): E164[] {
  return Array.from({ length: count }, (_, i) => e164(`+420777${from + i}`));
}

const stateKey = (phone: E164): Key => ({ pk: { S: `PHONE#${phone}` }, sk: { S: 'STATE' } });
const phoneOf = (key: Key) => key['pk']?.S?.slice('PHONE#'.length) as E164;

/** A consent state item as the store writes it, with attributes the check must not need. */
function stateItem(phone: E164, blocked: boolean, state: Partial<BlockedState> = {}): Item {
  return {
    ...stateKey(phone),
    phone: { S: phone },
    blocked: { BOOL: blocked },
    source: { S: state.source ?? 'manual' },
    ...(state.reasonCode === undefined ? {} : { reasonCode: { S: state.reasonCode } }),
    reason: { S: 'asked by phone' },
    version: { N: '3' },
  };
}

/**
 * A consent table behind BatchGetItem: answers the projected attributes of the items it holds, and
 * leaves a key unprocessed as many times as `unprocessedRounds` says before it answers for it. Like
 * DynamoDB, it hands unprocessed keys back in the request's own form, projection included.
 */
class FakeTable {
  readonly items = new Map<E164, Item>();
  readonly unprocessedRounds = new Map<E164, number>();

  put(item: Item): this {
    this.items.set(phoneOf(item), item);
    return this;
  }

  serve(input: BatchGetItemCommandInput): BatchGetItemCommandOutput {
    const request = input.RequestItems?.[TABLE];
    if (!request?.Keys) throw new Error('the request reads no keys of the consent table');
    const responses: Item[] = [];
    const unprocessed: Key[] = [];
    for (const key of request.Keys) {
      const phone = phoneOf(key);
      const rounds = this.unprocessedRounds.get(phone) ?? 0;
      if (rounds > 0) {
        this.unprocessedRounds.set(phone, rounds - 1);
        unprocessed.push(key);
        continue;
      }
      const item = this.items.get(phone);
      if (item) responses.push(project(item));
    }
    return {
      $metadata: {},
      Responses: { [TABLE]: responses },
      UnprocessedKeys: unprocessed.length > 0 ? { [TABLE]: { ...request, Keys: unprocessed } } : {},
    };
  }
}

function project(item: Item): Item {
  const projected: Item = {};
  for (const name of ['pk', 'blocked', 'source', 'reasonCode']) if (item[name]) projected[name] = item[name];
  return projected;
}

function requestOf(call: number) {
  const input = dynamoDb.commandCalls(BatchGetItemCommand)[call]?.args[0].input;
  return input?.RequestItems?.[TABLE];
}

const keysOf = (call: number) => (requestOf(call)?.Keys ?? []).map(phoneOf);

/** The answer a reader must give: the blocked numbers among those asked for, with their block. */
function oracle(phones: readonly E164[], blocked: ReadonlyMap<E164, BlockedState>): Map<E164, BlockedState> {
  return new Map(phones.flatMap((phone) => (blocked.has(phone) ? [[phone, blocked.get(phone)!] as const] : [])));
}

/** Hands out `phones` the way `DistinctNumbers` does: `size` at a time, then empty chunks. */
function chunksOf(phones: readonly E164[]): (size: number) => E164[] {
  let position = 0;
  return (size) => {
    const chunk = phones.slice(position, position + size);
    position += chunk.length;
    return chunk;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  dynamoDb.reset();
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(() => {
  dynamoDb.restore();
});

describe('DynamoBlocklistReader.restrictedAmong', () => {
  it('reads 250 numbers in three BatchGetItem calls of 100, 100 and 50 state keys, projecting only what the check needs', async () => {
    // prepare
    const phones = czechNumbers(250);
    const table = new FakeTable();
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const reader = new DynamoBlocklistReader(TABLE, { client, concurrency: 1 });

    // act
    await blockedAmong(reader, chunksOf(phones));

    // assess
    const calls = dynamoDb.commandCalls(BatchGetItemCommand);
    expect(calls).toHaveLength(3);
    expect(calls.map((_, i) => keysOf(i).length)).toEqual([100, 100, 50]);
    expect(calls.map((_, i) => keysOf(i)).flat()).toEqual(phones);
    for (const [i] of calls.entries()) {
      expect(Object.keys(calls[i]!.args[0].input.RequestItems ?? {})).toEqual([TABLE]);
      expect(requestOf(i)).toMatchObject({ ProjectionExpression: PROJECTION, ExpressionAttributeNames: { '#source': 'source' } });
    }
    expect(requestOf(0)?.Keys?.[0]).toEqual({ pk: { S: `PHONE#${phones[0]}` }, sk: { S: 'STATE' } });
    expect(requestOf(0)?.ConsistentRead).toBeFalsy();
  });

  it.each([1, 2, 5])('keeps at most %i BatchGetItem calls in flight at once', async (concurrency) => {
    // prepare: slow responses, and a count of the calls in flight
    const table = new FakeTable();
    let inFlight = 0;
    let mostInFlight = 0;
    dynamoDb.on(BatchGetItemCommand).callsFake(async (input: BatchGetItemCommandInput) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await sleep(5);
      inFlight--;
      return table.serve(input);
    });
    const reader = new DynamoBlocklistReader(TABLE, { client, concurrency });

    // act
    await blockedAmong(reader, chunksOf(czechNumbers(1000)));

    // assess: the bound is reached, never passed
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(10);
    expect(mostInFlight).toBe(concurrency);
    expect(inFlight).toBe(0);
  });

  it('answers only blocked numbers, each with its source and reason code', async () => {
    // prepare
    const [manualBlock, automaticBlock, noCode, unblocked, unknown] = czechNumbers(5) as [E164, E164, E164, E164, E164];
    const table = new FakeTable()
      .put(stateItem(manualBlock, true, { source: 'manual', reasonCode: 'R1' }))
      .put(stateItem(automaticBlock, true, { source: 'automatic', reasonCode: '131026' }))
      .put(stateItem(noCode, true, { source: 'manual' }))
      .put(stateItem(unblocked, false, { source: 'automatic', reasonCode: '131026' }));
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const reader = new DynamoBlocklistReader(TABLE, { client });

    // act
    const blocked = await blockedAmong(reader, chunksOf([manualBlock, automaticBlock, noCode, unblocked, unknown]));

    // assess
    expect(blocked).toEqual(
      new Map<E164, BlockedState>([
        [manualBlock, { source: 'manual', reasonCode: 'R1' }],
        [automaticBlock, { source: 'automatic', reasonCode: '131026' }],
        [noCode, { source: 'manual', reasonCode: undefined }],
      ]),
    );
  });

  it('reads keys left unprocessed again, only those, until they drain', async () => {
    // prepare: in the first chunk, three keys are left unprocessed once and one of them twice
    const phones = czechNumbers(150);
    const [once, alsoOnce, twice] = [phones[3]!, phones[50]!, phones[99]!];
    const blockedStates = new Map<E164, BlockedState>([
      [once, { source: 'manual', reasonCode: 'R1' }],
      [twice, { source: 'automatic', reasonCode: '131049' }],
      [phones[120]!, { source: 'manual', reasonCode: undefined }],
    ]);
    const table = new FakeTable();
    for (const [phone, state] of blockedStates) table.put(stateItem(phone, true, state));
    table.put(stateItem(alsoOnce, false));
    table.unprocessedRounds.set(once, 1).set(alsoOnce, 1).set(twice, 2);
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const reader = new DynamoBlocklistReader(TABLE, { client, concurrency: 1, baseDelayMs: 1 });

    // act
    const blocked = await blockedAmong(reader, chunksOf(phones));

    // assess
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(4);
    expect(keysOf(0)).toEqual(phones.slice(0, 100));
    expect(keysOf(1)).toEqual([once, alsoOnce, twice]);
    expect(keysOf(2)).toEqual([twice]);
    expect(keysOf(3)).toEqual(phones.slice(100));
    expect(requestOf(2)).toMatchObject({ ProjectionExpression: PROJECTION, ExpressionAttributeNames: { '#source': 'source' } });
    expect(blocked).toEqual(oracle(phones, blockedStates));
  });

  it('rejects with UnprocessedKeysError naming the count after maxAttempts reads of a chunk that never drains, never with a partial answer', async () => {
    // prepare: two of three keys are always left unprocessed; a blocked number is read on the first call
    const [readable, stuck, alsoStuck] = czechNumbers(3) as [E164, E164, E164];
    const table = new FakeTable().put(stateItem(readable, true, { reasonCode: 'R' }));
    table.unprocessedRounds.set(stuck, Number.POSITIVE_INFINITY).set(alsoStuck, Number.POSITIVE_INFINITY);
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const reader = new DynamoBlocklistReader(TABLE, { client, maxAttempts: 4, baseDelayMs: 1 });

    // act
    const read = blockedAmong(reader, chunksOf([readable, stuck, alsoStuck]));

    // assess
    await expect(read).rejects.toThrow(UnprocessedKeysError);
    await expect(read).rejects.toMatchObject({
      name: 'UnprocessedKeysError',
      unprocessed: 2,
      message: '2 consent states were still unprocessed after 4 reads',
    });
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(4);
    expect(keysOf(3)).toEqual([stuck, alsoStuck]);
  });

  it('stops reading further chunks after a chunk never drains (one worker)', async () => {
    // prepare: every key of the first chunk is always unprocessed
    const phones = czechNumbers(300);
    const table = new FakeTable();
    for (const phone of phones.slice(0, 100)) table.unprocessedRounds.set(phone, Number.POSITIVE_INFINITY);
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const reader = new DynamoBlocklistReader(TABLE, { client, concurrency: 1, maxAttempts: 3, baseDelayMs: 1 });

    // act, assess
    await expect(blockedAmong(reader, chunksOf(phones))).rejects.toMatchObject({ unprocessed: 100 });
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(3);
  });

  it('pauses between rereads of unprocessed keys for a doubling cap, up to maxDelayMs, and not before the first read', async () => {
    // prepare: the key drains on the sixth read; jitter pinned to half of each cap
    const [phone] = czechNumbers(1) as [E164];
    const table = new FakeTable();
    table.unprocessedRounds.set(phone, 5);
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    const reader = new DynamoBlocklistReader(TABLE, { client, maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 4 });

    // act
    await blockedAmong(reader, chunksOf([phone]));

    // assess: caps 1, 2, 4, 4, 4 ms
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(6);
    expect(setTimeoutSpy.mock.calls.map(([, delay]) => delay)).toEqual([0.5, 1, 2, 2, 2]);
  });

  it('draws each pause at random below its cap (full jitter)', async () => {
    // prepare
    const [phone] = czechNumbers(1) as [E164];
    const table = new FakeTable();
    table.unprocessedRounds.set(phone, 7);
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    const reader = new DynamoBlocklistReader(TABLE, { client, maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 16 });

    // act
    await blockedAmong(reader, chunksOf([phone]));

    // assess
    const delays = setTimeoutSpy.mock.calls.map(([, delay]) => delay ?? Number.NaN);
    const caps = [1, 2, 4, 8, 16, 16, 16];
    expect(delays).toHaveLength(caps.length);
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(caps[i]!);
    });
  });

  it('lets an SDK error from BatchGetItem reject the whole read', async () => {
    // prepare: the second call fails
    const throttled = Object.assign(new Error('Throughput exceeds the current capacity of your table'), { name: 'ProvisionedThroughputExceededException' });
    const table = new FakeTable();
    dynamoDb
      .on(BatchGetItemCommand)
      .callsFakeOnce((input: BatchGetItemCommandInput) => table.serve(input))
      .rejectsOnce(throttled)
      .callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const reader = new DynamoBlocklistReader(TABLE, { client, concurrency: 1 });

    // act, assess
    await expect(blockedAmong(reader, chunksOf(czechNumbers(300)))).rejects.toBe(throttled);
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });

  it('stops the other workers once one read has failed, instead of reading on', async () => {
    // prepare: the first call fails at once; the others answer slowly
    const failure = new Error('AccessDeniedException');
    const table = new FakeTable();
    dynamoDb
      .on(BatchGetItemCommand)
      .rejectsOnce(failure)
      .callsFake(async (input: BatchGetItemCommandInput) => {
        await sleep(20);
        return table.serve(input);
      });
    const reader = new DynamoBlocklistReader(TABLE, { client, concurrency: 2 });

    // act
    await expect(blockedAmong(reader, chunksOf(czechNumbers(1_000)))).rejects.toBe(failure);
    await sleep(100);

    // assess: the failed call and the one already in flight, nothing after
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });

  it.each([
    ['concurrency', 0],
    ['concurrency', Number.NaN],
    ['maxAttempts', 0],
    ['maxAttempts', 1.5],
  ])('refuses %s %p, which would read nothing and call every number sendable', (name, value) => {
    expect(() => new DynamoBlocklistReader(TABLE, { client, [name]: value })).toThrow(RangeError);
  });

  it('makes no call when there is nothing to read', async () => {
    // prepare
    dynamoDb.on(BatchGetItemCommand).rejects(new Error('no call expected'));
    const reader = new DynamoBlocklistReader(TABLE, { client });

    // act
    const blocked = await blockedAmong(reader, chunksOf([]));

    // assess
    expect(blocked.size).toBe(0);
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(0);
  });

  it('equals a set-membership oracle for any numbers and blocked subset, with keys left unprocessed on early reads', async () => {
    const pool = czechNumbers(400);
    const scenario = fc
      .uniqueArray(fc.constantFrom(...pool), { maxLength: 350 })
      .chain((phones) =>
        fc.record({
          phones: fc.constant(phones),
          states: fc.array(
            fc.record({
              stored: fc.constantFrom('blocked', 'unblocked', 'absent'),
              source: fc.constantFrom('manual' as const, 'automatic' as const),
              reasonCode: fc.option(fc.constantFrom('R1', '131026', '131049'), { nil: undefined }),
              unprocessedRounds: fc.nat({ max: 3 }),
            }),
            { minLength: phones.length, maxLength: phones.length },
          ),
          concurrency: fc.integer({ min: 1, max: 4 }),
        }),
      );

    await fc.assert(
      fc.asyncProperty(scenario, async ({ phones, states, concurrency }) => {
        // prepare
        dynamoDb.reset();
        const table = new FakeTable();
        const blockedStates = new Map<E164, BlockedState>();
        phones.forEach((phone, i) => {
          const { stored, source, reasonCode, unprocessedRounds } = states[i]!;
          if (stored !== 'absent') table.put(stateItem(phone, stored === 'blocked', { source, reasonCode }));
          if (stored === 'blocked') blockedStates.set(phone, { source, reasonCode });
          table.unprocessedRounds.set(phone, unprocessedRounds);
        });
        dynamoDb.on(BatchGetItemCommand).callsFake(async (input: BatchGetItemCommandInput) => {
          await Promise.resolve();
          return table.serve(input);
        });
        const reader = new DynamoBlocklistReader(TABLE, { client, concurrency, maxAttempts: 4, baseDelayMs: 0 });

        // act
        const blocked = await blockedAmong(reader, chunksOf(phones));

        // assess
        expect(blocked).toEqual(oracle(phones, blockedStates));
        const calls = dynamoDb.commandCalls(BatchGetItemCommand);
        for (const [i] of calls.entries()) expect(keysOf(i).length).toBeLessThanOrEqual(100);
        expect(new Set(calls.flatMap((_, i) => keysOf(i)))).toEqual(new Set(phones));
      }),
      { numRuns: 60 },
    );
  });
});

describe('blocklistChecker', () => {
  it('checks numbers in any format against the consent table through the same reader', async () => {
    // prepare
    const [blockedPhone, unblockedPhone, absentPhone] = czechNumbers(3) as [E164, E164, E164];
    const table = new FakeTable().put(stateItem(blockedPhone, true, { source: 'automatic', reasonCode: '131026' })).put(stateItem(unblockedPhone, false));
    table.unprocessedRounds.set(blockedPhone, 1);
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const checker = blocklistChecker({ tableName: TABLE, client, baseDelayMs: 1 });

    // act
    const result = await checker.check([`00${blockedPhone.slice(1)}`, unblockedPhone.slice(1), 'abc', absentPhone, blockedPhone]);

    // assess
    expect(result).toEqual({
      blocked: [{ phone: blockedPhone, source: 'automatic', reasonCode: '131026' }],
      optedOut: [],
      sendable: [unblockedPhone, absentPhone],
      invalid: ['abc'],
    });
  });

  it('rejects with UnprocessedKeysError rather than answer from a partial read', async () => {
    // prepare
    const phones = czechNumbers(5);
    const table = new FakeTable();
    table.unprocessedRounds.set(phones[2]!, Number.POSITIVE_INFINITY);
    dynamoDb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => table.serve(input));
    const checker = blocklistChecker({ tableName: TABLE, client, maxAttempts: 2, baseDelayMs: 1 });

    // act, assess
    await expect(checker.check(phones)).rejects.toThrow(UnprocessedKeysError);
    expect(dynamoDb.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });
});
