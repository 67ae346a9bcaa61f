import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  autoBlockCodesSchema,
  DEFAULT_FAILURE_CODES,
  failureClassifier,
  type FailureClass,
} from '../../../../shared/domain/whatsapp/provider-errors.js';

/** Error objects as the provider sent them in failed statuses. */
const META_ERRORS = JSON.parse(
  readFileSync(new URL('../../../fixtures/meta-error-objects.json', import.meta.url), 'utf8'),
) as { code: number; title: string }[];

/** The product's classification of failure codes, as the code table of docs/integrations.md has it. */
const SPEC_TABLE: [number, FailureClass][] = [
  [131026, 'recipient-unreachable'],
  [1013, 'recipient-unreachable'],
  [130403, 'recipient-unreachable'],
  [131050, 'recipient-opted-out'],
  [131049, 'temporary'],
  [131047, 'temporary'],
  [131048, 'temporary'],
  [131056, 'temporary'],
  [130429, 'temporary'],
  [130472, 'temporary'],
  [131000, 'temporary'],
  [131016, 'temporary'],
  [131057, 'temporary'],
  [133004, 'temporary'],
  [133010, 'sender-account'],
  [131042, 'sender-account'],
  [131045, 'sender-account'],
  [131031, 'sender-account'],
  [131037, 'sender-account'],
  [131063, 'sender-account'],
  [131064, 'sender-account'],
  [368, 'sender-account'],
  [130497, 'sender-account'],
];

const listedCodes = new Set<number>(Object.values(DEFAULT_FAILURE_CODES).flat());

describe('failureClassifier, default table', () => {
  const classify = failureClassifier();

  it.each(SPEC_TABLE)('classifies %p as %p, as the spec says', (code, expected) => {
    expect(classify(code)).toBe(expected);
  });

  it.each([999_999, 131_025, 1, 42, -1, 0.5])('treats the unlisted code %p as temporary', (code) => {
    expect(classify(code)).toBe('temporary');
  });

  it('treats every code outside the table as temporary', () => {
    fc.assert(
      fc.property(fc.integer().filter((code) => !listedCodes.has(code)), (code) => {
        expect(classify(code)).toBe('temporary');
      }),
    );
  });

  it('blocks on exactly 131026, 1013 and 130403, and records an opt-out on exactly 131050', () => {
    expect([...DEFAULT_FAILURE_CODES['recipient-unreachable']].sort()).toEqual([1013, 130403, 131026]);
    expect([...DEFAULT_FAILURE_CODES['recipient-opted-out']]).toEqual([131050]);
  });

  it('lists each code in one class only', () => {
    const all = Object.values(DEFAULT_FAILURE_CODES).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('classifies every listed code as the class it is listed under', () => {
    for (const [failureClass, codes] of Object.entries(DEFAULT_FAILURE_CODES)) {
      for (const code of codes) expect([code, classify(code)]).toEqual([code, failureClass]);
    }
  });

  it('classifies every error object the provider sent as the spec says: 131026 blocks, the rest are temporary', () => {
    // prepare
    const codes = META_ERRORS.map((error) => error.code);
    expect(codes).toEqual([131049, 131047, 130472, 131026]);

    // act
    const classes = META_ERRORS.map((error) => [error.code, classify(error.code)]);

    // assess
    expect(classes).toEqual([
      [131049, 'temporary'],
      [131047, 'temporary'],
      [130472, 'temporary'],
      [131026, 'recipient-unreachable'],
    ]);
  });
});

describe('failureClassifier with AUTO_BLOCK_CODES', () => {
  it('replaces the blocking codes: a listed code blocks, a default blocking code left out is temporary', () => {
    // prepare
    const codes = autoBlockCodesSchema().parse('131026,131049');

    // act
    const classify = failureClassifier(codes);

    // assess
    expect(classify(131026)).toBe('recipient-unreachable');
    expect(classify(131049)).toBe('recipient-unreachable');
    expect(classify(1013)).toBe('temporary');
    expect(classify(130403)).toBe('temporary');
    expect(classify(131050)).toBe('recipient-opted-out');
    expect(classify(133010)).toBe('sender-account');
    expect(classify(131047)).toBe('temporary');
  });

  it('moves a code listed under another class into blocking', () => {
    const classify = failureClassifier([131050, 133010]);

    expect(classify(131050)).toBe('recipient-unreachable');
    expect(classify(133010)).toBe('recipient-unreachable');
    expect(classify(131026)).toBe('temporary');
  });

  it('blocks on nothing with "none", and keeps the other classes', () => {
    // prepare
    const codes = autoBlockCodesSchema().parse('none');
    expect(codes).toEqual([]);

    // act
    const classify = failureClassifier(codes);

    // assess
    expect(classify(131026)).toBe('temporary');
    expect(classify(1013)).toBe('temporary');
    expect(classify(130403)).toBe('temporary');
    expect(classify(131050)).toBe('recipient-opted-out');
    expect(classify(133010)).toBe('sender-account');
  });

  it('blocks on exactly the configured codes, whatever they are', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 999_999_999 }), { maxLength: 10 }), fc.integer({ min: 0, max: 999_999_999 }), (blocking, code) => {
        const classify = failureClassifier(autoBlockCodesSchema().parse(blocking.length > 0 ? blocking.join(',') : 'none'));

        expect(classify(code) === 'recipient-unreachable').toBe(blocking.includes(code));
        for (const listed of blocking) expect(classify(listed)).toBe('recipient-unreachable');
      }),
    );
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['white space', '   '],
  ])('keeps the default table when the setting is %s', (_label, setting) => {
    // prepare
    const codes = autoBlockCodesSchema().parse(setting);
    expect(codes).toBeUndefined();

    // act
    const classify = failureClassifier(codes);

    // assess
    for (const [code, expected] of SPEC_TABLE) expect([code, classify(code)]).toEqual([code, expected]);
  });

  it.each([
    ['131026,131049', [131026, 131049]],
    [' 131026 , 1013 ', [131026, 1013]],
    ['131026', [131026]],
    ['NONE', []],
    [' None ', []],
    ['0', [0]],
    ['999999999', [999_999_999]],
  ])('reads %p as %p', (setting, expected) => {
    expect(autoBlockCodesSchema().parse(setting)).toEqual(expected);
  });

  it.each(['abc', '1,,2', '-5', '131026,', ',131026', '131026;131049', '131026 131049', '1.5', '1e5', '0x10', '1234567890', 'none,131026'])(
    'refuses the malformed setting %p',
    (setting) => {
      expect(autoBlockCodesSchema().safeParse(setting).success).toBe(false);
    },
  );
});
