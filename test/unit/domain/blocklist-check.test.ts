import fc from 'fast-check';
import {
  checkBlocklist,
  checkRequestSchema,
  DistinctNumbers,
  MAX_CHECK_NUMBERS,
  type RestrictedState,
  type BlocklistReader,
  type CheckResult,
} from '../../../shared/domain/blocklist-check.js';
import { normalisePhone, type E164 } from '../../../shared/domain/phone.js';
import { e164 } from '../support/samples.js';

/**
 * An in-memory reader with the contract of `DynamoBlocklistReader`: it pulls chunks of `chunkSize`
 * until it is handed an empty one (or, to test a misbehaving reader, stops after `maxChunks`), and
 * answers with the states of the blocked numbers among them. `workers` pull concurrently, each
 * awaiting between pulls as a real read would.
 */
class FakeBlocklistReader implements BlocklistReader {
  readonly chunks: E164[][] = [];
  readonly requestedSizes: number[] = [];

  constructor(
    private readonly table: ReadonlyMap<E164, RestrictedState>,
    private readonly options: { chunkSize?: number; maxChunks?: number; workers?: number } = {},
  ) {}

  async restrictedAmong(nextChunk: (size: number) => E164[]): Promise<Map<E164, RestrictedState>> {
    const { chunkSize = 100, maxChunks = Number.POSITIVE_INFINITY, workers = 1 } = this.options;
    const blocked = new Map<E164, RestrictedState>();
    const worker = async () => {
      while (this.chunks.length < maxChunks) {
        this.requestedSizes.push(chunkSize);
        const chunk = nextChunk(chunkSize);
        this.chunks.push(chunk);
        if (chunk.length === 0) return;
        await Promise.resolve(); // a read in flight: the other workers pull meanwhile
        for (const phone of chunk) {
          const state = this.table.get(phone);
          if (state) blocked.set(phone, state);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    return blocked;
  }
}

const manual = (reasonCode?: string): RestrictedState => ({ block: { source: 'manual', reasonCode }, optedOutSince: undefined });
const automatic = (reasonCode?: string): RestrictedState => ({ block: { source: 'automatic', reasonCode }, optedOutSince: undefined });
const optedOut = (since: string, block?: RestrictedState['block']): RestrictedState => ({ block, optedOutSince: since });

/** `count` distinct valid Czech mobile numbers, `+420777100000`, `+420777100001`, … */
function czechNumbers(count: number, from = 100_000): E164[] {
  return Array.from({ length: count }, (_, i) => e164(`+420777${from + i}`));
}

/** The ways clients write one number; every one of them must normalise back to `phone`. */
const FORMATS: ((phone: E164) => string)[] = [
  (phone) => phone,
  (phone) => `00${phone.slice(1)}`,
  (phone) => phone.slice(1),
  (phone) => `+${phone.slice(1).replace(/(\d{3})(?=\d)/g, '$1 ')}`,
  (phone) => `+${phone.slice(1).replace(/(\d{3})(?=\d)/g, '$1-')}`,
  (phone) => `  ${phone}  `,
];

const POOL: E164[] = [
  ...czechNumbers(20),
  e164('+4915112345678'),
  e164('+12025550123'),
  e164('+5541992146473'),
  e164('+33612345678'),
];

const JUNK = ['', 'abc', '+1', '12345678901234567890', '+420777123456 ext. 5', '777 123 456', `+${'1'.repeat(70)}`, "1' OR '1'='1", '+420 777'];

describe('DistinctNumbers', () => {
  it('normalises every format the property below writes numbers in back to the number (a guard on the test itself)', () => {
    for (const phone of POOL) for (const format of FORMATS) expect(normalisePhone(format(phone))).toEqual({ ok: true, phone });
    for (const junk of JUNK) expect(normalisePhone(junk).ok).toBe(false);
  });

  it('hands out a number written in several formats once, in E.164', () => {
    // prepare
    const numbers = new DistinctNumbers(['+420 777 123 456', '00420777123456', '420777123456', '+420777123456']);

    // act
    const chunk = numbers.next(100);

    // assess
    expect(chunk).toEqual(['+420777123456']);
    expect(numbers.phones).toEqual(['+420777123456']);
    expect(numbers.next(100)).toEqual([]);
    expect(numbers.invalid).toEqual([]);
  });

  it('keeps each distinct invalid input once, exactly as given', () => {
    // prepare
    const numbers = new DistinctNumbers(['', 'abc', '+1', 'abc', '12345678901234567890', '+420777123456 ext. 5', '', '+1', '+420777123456']);

    // act
    numbers.next(Number.POSITIVE_INFINITY);

    // assess
    expect(numbers.invalid).toEqual(['', 'abc', '+1', '12345678901234567890', '+420777123456 ext. 5']);
    expect(numbers.phones).toEqual(['+420777123456']);
  });

  it('normalises lazily: a chunk reads only as far into the inputs as it needs', () => {
    // prepare: the invalid input sits after the first two distinct numbers
    const [a, b, c] = czechNumbers(3);
    const numbers = new DistinctNumbers([a!, `00${a!.slice(1)}`, b!, 'abc', c!]);

    // act
    const first = numbers.next(2);

    // assess
    expect(first).toEqual([a, b]);
    expect(numbers.invalid).toEqual([]);
    expect(numbers.next(2)).toEqual([c]);
    expect(numbers.invalid).toEqual(['abc']);
  });

  it('hands out chunks of at most the size asked for, and an empty one once the inputs are used up', () => {
    // prepare
    const numbers = new DistinctNumbers(czechNumbers(7));

    // act
    const sizes = [numbers.next(3), numbers.next(3), numbers.next(3), numbers.next(3)].map((chunk) => chunk.length);

    // assess
    expect(sizes).toEqual([3, 3, 1, 0]);
  });
});

describe('checkBlocklist', () => {
  it('treats the same number in several formats as one number', async () => {
    // prepare
    const phone = e164('+420777123456');
    const reader = new FakeBlocklistReader(new Map([[phone, manual('R1')]]));

    // act
    const result = await checkBlocklist(['+420 777 123 456', '00420777123456', '420777123456', '+420777123456'], reader);

    // assess
    expect(result).toEqual({ blocked: [{ phone, source: 'manual', reasonCode: 'R1' }], optedOut: [], sendable: [], invalid: [] });
    expect(reader.chunks.flat()).toEqual([phone]);
  });

  it('returns invalid inputs as given, each distinct one once, and never reads them', async () => {
    // prepare
    const reader = new FakeBlocklistReader(new Map());
    const inputs = ['', 'abc', '+1', '12345678901234567890', '+420777123456 ext. 5', 'abc', '', '+420 777 123 456'];

    // act
    const result = await checkBlocklist(inputs, reader);

    // assess
    expect(result.invalid).toEqual(['', 'abc', '+1', '12345678901234567890', '+420777123456 ext. 5']);
    expect(result.sendable).toEqual(['+420777123456']);
    expect(reader.chunks.flat()).toEqual(['+420777123456']);
  });

  it('reports blocked numbers with their source and reason code, null when the block has none', async () => {
    // prepare
    const [withCode, withoutCode, sendable] = czechNumbers(3) as [E164, E164, E164];
    const reader = new FakeBlocklistReader(
      new Map([
        [withCode, automatic('131026')],
        [withoutCode, manual()],
      ]),
    );

    // act
    const result = await checkBlocklist([withCode, withoutCode, sendable], reader);

    // assess
    expect(result.blocked).toEqual([
      { phone: withCode, source: 'automatic', reasonCode: '131026' },
      { phone: withoutCode, source: 'manual', reasonCode: null },
    ]);
    expect(result.sendable).toEqual([sendable]);
  });

  it('lists blocked and sendable numbers in the order they first appear in the input, whatever order the reads finish in', async () => {
    // prepare: the numbers in reverse, with repeats in other formats, read by three concurrent workers in tiny chunks
    const phones = czechNumbers(12).reverse();
    const blocked = new Map(phones.filter((_, i) => i % 3 === 0).map((phone) => [phone, manual()] as const));
    const inputs = phones.flatMap((phone, i) => (i % 2 === 0 ? [phone, `00${phone.slice(1)}`] : [phone.slice(1)]));
    inputs.push(...phones.map((phone) => phone.slice(1)));
    const reader = new FakeBlocklistReader(blocked, { chunkSize: 2, workers: 3 });

    // act
    const result = await checkBlocklist(inputs, reader);

    // assess
    expect(result.blocked.map((entry) => entry.phone)).toEqual(phones.filter((phone) => blocked.has(phone)));
    expect(result.sendable).toEqual(phones.filter((phone) => !blocked.has(phone)));
  });

  it('hands a reader asking for 100 at a time its chunks in input order, every valid number exactly once', async () => {
    // prepare: 350 distinct numbers, each also written a second way later on, with junk among them
    const phones = czechNumbers(350);
    const inputs = [...phones.flatMap((phone, i) => (i % 50 === 0 ? [phone, 'junk'] : [phone])), ...phones.map((phone) => `00${phone.slice(1)}`)];
    const reader = new FakeBlocklistReader(new Map(), { chunkSize: 100 });

    // act
    const result = await checkBlocklist(inputs, reader);

    // assess
    expect(reader.chunks.map((chunk) => chunk.length)).toEqual([100, 100, 100, 50, 0]);
    const handedOut = reader.chunks.flat();
    expect(handedOut).toEqual(phones);
    expect(new Set(handedOut).size).toBe(handedOut.length);
    expect(result.sendable).toEqual(phones);
    expect(result.invalid).toEqual(['junk']);
  });

  it('fails rather than guess when the reader stops pulling before every number was read', async () => {
    // prepare: the reader reads one chunk of 10 of 35 numbers and stops
    const phones = czechNumbers(35);
    const reader = new FakeBlocklistReader(new Map([[phones[4]!, manual('R')]]), { chunkSize: 10, maxChunks: 1 });

    // act
    const checking = checkBlocklist([...phones, 'abc'], reader);

    // assess
    await expect(checking).rejects.toThrow(/stopped before it had read every number/);
    expect(reader.chunks.flat()).toHaveLength(10);
  });

  it('hands a reader only an empty chunk when no input is a valid number', async () => {
    // prepare
    const reader = new FakeBlocklistReader(new Map(), { workers: 4 });

    // act
    const result = await checkBlocklist(['', 'abc', '+1'], reader);

    // assess
    expect(reader.chunks).toEqual([[], [], [], []]);
    expect(result).toEqual({ blocked: [], optedOut: [], sendable: [], invalid: ['', 'abc', '+1'] });
  });

  it('equals a set-membership oracle for any mix of numbers in any format, junk and blocked set', async () => {
    const validInput = fc
      .record({ phone: fc.constantFrom(...POOL), format: fc.constantFrom(...FORMATS) })
      .map(({ phone, format }) => ({ kind: 'valid' as const, phone, text: format(phone) }));
    const junkInput = fc
      .oneof(
        fc.constantFrom(...JUNK),
        fc.string({ unit: fc.constantFrom(...'abcxyz +-.()#ext'), maxLength: 20 }),
        fc.string({ maxLength: 30 }).filter((text) => !normalisePhone(text).ok),
      )
      .map((text) => ({ kind: 'junk' as const, text }));
    const blockedStates = fc.dictionary(
      fc.constantFrom(...POOL),
      fc
        .record({
          block: fc.option(
            fc.record({ source: fc.constantFrom('manual' as const, 'automatic' as const), reasonCode: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }) }),
            { nil: undefined },
          ),
          optedOutSince: fc.option(fc.constantFrom('2025-01-01T00:00:00.000Z', '2026-05-01T12:00:00.000Z'), { nil: undefined }),
        })
        .filter((state) => state.block !== undefined || state.optedOutSince !== undefined),
    );
    const category = fc.constantFrom('marketing' as const, 'utility' as const, 'authentication' as const);
    const readerShape = fc.record({ chunkSize: fc.integer({ min: 1, max: 30 }), workers: fc.integer({ min: 1, max: 4 }) });

    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(validInput, junkInput), { minLength: 1, maxLength: 120 }), blockedStates, readerShape, category, async (inputs, states, shape, messages) => {
        // prepare
        const table = new Map(Object.entries(states) as unknown as [E164, RestrictedState][]);
        const reader = new FakeBlocklistReader(table, shape);
        const firstSeen = [...new Set(inputs.flatMap((input) => (input.kind === 'valid' ? [input.phone] : [])))];
        const optedOutOnly = (phone: E164) => messages === 'marketing' && !table.get(phone)?.block && table.get(phone)?.optedOutSince !== undefined;
        const expected: CheckResult = {
          blocked: firstSeen.flatMap((phone) => {
            const block = table.get(phone)?.block;
            return block ? [{ phone, source: block.source, reasonCode: block.reasonCode ?? null }] : [];
          }),
          optedOut: firstSeen.filter(optedOutOnly).map((phone) => ({ phone, since: table.get(phone)!.optedOutSince! })),
          sendable: firstSeen.filter((phone) => !table.get(phone)?.block && !optedOutOnly(phone)),
          invalid: [...new Set(inputs.flatMap((input) => (input.kind === 'junk' ? [input.text] : [])))],
        };

        // act
        const result = await checkBlocklist(
          inputs.map((input) => input.text),
          reader,
          messages,
        );

        // assess
        expect(result).toEqual(expected);
        const classified = [...result.blocked.map((entry) => entry.phone), ...result.sendable];
        expect(new Set(classified).size).toBe(classified.length);
        expect(reader.chunks.flat().sort()).toEqual([...firstSeen].sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('checkBlocklist, by category', () => {
  const [blockedAndOptedOut, optedOutOnly, free] = czechNumbers(3) as [E164, E164, E164];
  const table = new Map<E164, RestrictedState>([
    [blockedAndOptedOut, optedOut('2026-01-01T00:00:00.000Z', { source: 'automatic', reasonCode: '131026' })],
    [optedOutOnly, optedOut('2026-02-01T00:00:00.000Z')],
  ]);

  it('lists a recipient who stopped marketing messages in optedOut for marketing, and a block always wins', async () => {
    const result = await checkBlocklist([blockedAndOptedOut, optedOutOnly, free], new FakeBlocklistReader(table));

    expect(result).toEqual({
      blocked: [{ phone: blockedAndOptedOut, source: 'automatic', reasonCode: '131026' }],
      optedOut: [{ phone: optedOutOnly, since: '2026-02-01T00:00:00.000Z' }],
      sendable: [free],
      invalid: [],
    });
  });

  it.each(['utility', 'authentication'] as const)('lets %s messages reach a recipient who stopped marketing', async (category) => {
    const result = await checkBlocklist([blockedAndOptedOut, optedOutOnly, free], new FakeBlocklistReader(table), category);

    expect(result).toEqual({
      blocked: [{ phone: blockedAndOptedOut, source: 'automatic', reasonCode: '131026' }],
      optedOut: [],
      sendable: [optedOutOnly, free],
      invalid: [],
    });
  });
});

describe('checkRequestSchema', () => {
  it.each([
    ['no numbers', { phones: [] }],
    ['10,001 numbers', { phones: Array.from({ length: MAX_CHECK_NUMBERS + 1 }, () => '+420777123456') }],
    ['phones that are not an array', { phones: '+420777123456' }],
    ['a missing phones field', {}],
    ['an unknown field', { phones: ['+420777123456'], profileId: 'profile-1' }],
  ])('refuses %s', (_, body) => {
    expect(checkRequestSchema().safeParse(body).success).toBe(false);
  });

  it('accepts 10,000 numbers, duplicates and invalid ones included', () => {
    // prepare
    const phones = Array.from({ length: MAX_CHECK_NUMBERS }, (_, i) => (i === 0 ? '1'.repeat(256) : i % 2 === 0 ? 'abc' : '+420777123456'));

    // act
    const parsed = checkRequestSchema().safeParse({ phones });

    // assess
    expect(MAX_CHECK_NUMBERS).toBe(10_000);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.phones).toEqual(phones);
  });

  it('accepts entries that are no number at all, for the check to list as invalid', () => {
    // prepare
    const phones = ['+420777123456', '1'.repeat(257), 420777123456, null, true, { phone: '+420777123456' }, ['+420777123456']];

    // act
    const parsed = checkRequestSchema().safeParse({ phones });

    // assess
    expect(parsed.success).toBe(true);
    expect(parsed.data?.phones).toEqual(phones);
  });

  it('accepts a single number', () => {
    expect(checkRequestSchema().parse({ phones: ['+420 777 123 456'] })).toEqual({ phones: ['+420 777 123 456'], category: 'marketing' });
  });

  it('takes a category of marketing, utility or authentication, and refuses any other', () => {
    expect(checkRequestSchema().parse({ phones: ['+420777123456'], category: 'utility' })).toMatchObject({ category: 'utility' });
    expect(checkRequestSchema().safeParse({ phones: ['+420777123456'], category: 'service' }).success).toBe(false);
  });
});

describe('checkBlocklist, with entries that are not strings or too long', () => {
  it('lists each of them in invalid as given, once, in input order, and checks the rest', async () => {
    // prepare
    const [blocked, sendable] = czechNumbers(2) as [E164, E164];
    const reader = new FakeBlocklistReader(new Map([[blocked, manual('R1')]]));
    const long = `+420 777 123 456${' '.repeat(300)}`;
    const inputs: unknown[] = [
      blocked,
      long,
      420777123456,
      null,
      { phone: sendable },
      sendable,
      ['+420777123456'],
      false,
      long,
      420777123456,
      '420777123456',
      { phone: sendable },
      null,
    ];

    // act
    const result = await checkBlocklist(inputs, reader);

    // assess
    expect(result).toEqual({
      blocked: [{ phone: blocked, source: 'manual', reasonCode: 'R1' }],
      optedOut: [],
      sendable: [sendable, '+420777123456'],
      invalid: [long, 420777123456, null, { phone: sendable }, ['+420777123456'], false],
    });
    expect(reader.chunks.flat()).toEqual([blocked, sendable, '+420777123456']);
  });

  it('tells a string from the same value in another JSON type', async () => {
    const result = await checkBlocklist(['null', null, '42', 42, '{}', {}, '[]', []], new FakeBlocklistReader(new Map()));

    expect(result.invalid).toEqual(['null', null, '42', 42, '{}', {}, '[]', []]);
  });

  it('checks the other 9,999 numbers when one entry of 10,000 is too long', async () => {
    // prepare
    const phones = czechNumbers(9_999);
    const tooLong = '+'.padEnd(257, '1');

    // act
    const result = await checkBlocklist([...phones.slice(0, 5_000), tooLong, ...phones.slice(5_000)], new FakeBlocklistReader(new Map()));

    // assess
    expect(result.sendable).toEqual(phones);
    expect(result.invalid).toEqual([tooLong]);
  });
});
