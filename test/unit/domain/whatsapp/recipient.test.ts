import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalisePhone, type E164 } from '../../../../shared/domain/phone.js';
import { chooseRecipient, COUNTRY_RULES, recipientCandidates, type CountryRule } from '../../../../shared/domain/whatsapp/recipient.js';
import { e164 } from '../../support/samples.js';

describe('recipientCandidates', () => {
  it('adds the ninth digit to the Brazilian id of the provider fixture', () => {
    expect(recipientCandidates('554192146473')).toEqual(['+5541992146473']);
  });

  it('keeps a Brazilian id that already has the ninth digit as it is', () => {
    expect(recipientCandidates('5541992146473')).toEqual(['+5541992146473']);
  });

  it('keeps a Brazilian landline as it is: no ninth digit before a subscriber number starting 2 to 5', () => {
    expect(recipientCandidates('551132146473')).toEqual(['+551132146473']);
  });

  it.each([
    ['420777123456', '+420777123456'],
    ['41791234567', '+41791234567'],
    ['14155552671', '+14155552671'],
    ['447911123456', '+447911123456'],
    ['5491123456789', '+5491123456789'],
  ])('reads the id %p of a country without rules as %p', (waId, expected) => {
    expect(recipientCandidates(waId)).toEqual([expected]);
  });

  it('gives both numbers for an ambiguous Brazilian id, the one with the ninth digit first', () => {
    // prepare: both forms are valid numbers for the full metadata
    expect(parsePhoneNumberFromString('+5511972146473')?.isValid()).toBe(true);
    expect(parsePhoneNumberFromString('+551172146473')?.isValid()).toBe(true);

    // act, assess
    expect(recipientCandidates('551172146473')).toEqual(['+5511972146473', '+551172146473']);
  });

  it('reads the Mexican id that keeps the old 1 after the country code as the number without it', () => {
    // prepare: the E.164 number has no 1; with it, it is no valid number today
    expect(parsePhoneNumberFromString('+525512345678')?.isValid()).toBe(true);
    expect(parsePhoneNumberFromString('+5215512345678')?.isValid()).toBe(false);

    // act, assess
    expect(recipientCandidates('5215512345678')).toEqual(['+525512345678']);
  });

  it.each([
    ['Mexico City', '525512345678', '+525512345678'],
    ['Monterrey', '528112345678', '+528112345678'],
    ['Guadalajara', '523312345678', '+523312345678'],
  ])('reads the Mexican id of %s without the 1 as itself', (_label, waId, expected) => {
    expect(recipientCandidates(waId)).toEqual([expected]);
  });

  it.each([
    ['Monterrey', '5218112345678', '+528112345678'],
    ['Guadalajara', '5213312345678', '+523312345678'],
  ])('reads the Mexican id of %s with the 1 as the number without it', (_label, waId, expected) => {
    expect(recipientCandidates(waId)).toEqual([expected]);
  });

  it('reads any Mexican id with the 1 as the id without it reads', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (national) => {
        expect(recipientCandidates(`521${national}`)).toEqual(recipientCandidates(`52${national}`));
      }),
      { numRuns: 1_000 },
    );
  });

  it.each([
    ['empty', ''],
    ['letters', 'abc'],
    ['a leading +', '+420777123456'],
    ['spaces', '420 777 123 456'],
    ['30 digits', '1'.repeat(30)],
    ['16 digits', '4207771234561234'],
    ['too few digits', '42077'],
    ['digits that are no valid number', '420000000000'],
    ['a Brazilian id that is valid in neither form', '550012345678'],
    ['a Mexican id with the 1 that is valid in neither form', '5210012345678'],
    ['a Mexican id with the 1 and nine digits', '521551234567'],
    ['a Mexican id with the 1 and eleven digits', '52155123456789'],
    ['non-ASCII digits', '４２０７７７１２３４５６'],
  ])('gives no candidate for %s', (_label, waId) => {
    expect(recipientCandidates(waId)).toEqual([]);
  });

  it('gives valid E.164 numbers of the id\'s own country, each once, at most two', () => {
    const brazilianOldMobile = fc
      .tuple(fc.integer({ min: 11, max: 99 }), fc.integer({ min: 6, max: 9 }), fc.stringMatching(/^\d{7}$/))
      .map(([area, first, rest]) => `55${area}${first}${rest}`);
    const mexicanWithOne = fc.stringMatching(/^\d{10}$/).map((national) => `521${national}`);
    const digits = fc.stringMatching(/^\d{0,16}$/);
    const valid = fc.constantFrom('420777123456', '41791234567', '5541992146473', '14155552671', '447911123456', '4915123456789', '525512345678');

    fc.assert(
      fc.property(fc.oneof(brazilianOldMobile, mexicanWithOne, digits, valid), (waId) => {
        // act
        const candidates = recipientCandidates(waId);

        // assess
        expect(candidates.length).toBeLessThanOrEqual(2);
        expect(new Set(candidates).size).toBe(candidates.length);
        for (const candidate of candidates) {
          // The full metadata knows valid numbers of six digits in all: Iran's `+98 9601` is one.
          expect(candidate).toMatch(/^\+[1-9]\d{5,14}$/);
          expect(normalisePhone(candidate)).toEqual({ ok: true, phone: candidate });
          const countryCode = parsePhoneNumberFromString(candidate)!.countryCallingCode;
          expect(waId.startsWith(countryCode)).toBe(true);
          expect(candidate.startsWith(`+${waId.slice(0, countryCode.length)}`)).toBe(true);
        }
      }),
      // The first example is a counterexample random runs found once, to an assertion that wanted seven digits.
      { numRuns: 1_000, examples: [['989601'], ['5541992146473']] },
    );
  });

  it('reads any valid number written without + as that number first', () => {
    const valid = fc.constantFrom(
      '+420777123456',
      '+41791234567',
      '+5541992146473',
      '+14155552671',
      '+447911123456',
      '+5511972146473',
      '+525512345678',
      '+528112345678',
    );

    fc.assert(
      fc.property(valid, (phone) => {
        expect(recipientCandidates(phone.slice(1))[0]).toBe(phone);
      }),
    );
  });
});

describe('COUNTRY_RULES', () => {
  const callingCodes = COUNTRY_RULES.map((rule) => rule.callingCode);

  it('has one rule per country, Brazil and Mexico, each under a real calling code', () => {
    const realCodes = new Set(getCountries().map((country) => getCountryCallingCode(country)));

    expect([...callingCodes].sort()).toEqual(['52', '55']);
    for (const code of callingCodes) expect([code, realCodes.has(code)]).toEqual([code, true]);
  });

  it.each([
    ['a Brazilian old mobile', '55', '4192146473', '41992146473'],
    ['a Brazilian number with the ninth digit', '55', '41992146473', undefined],
    ['a Brazilian landline', '55', '1132146473', undefined],
    ['a Mexican id with the 1', '52', '15512345678', '5512345678'],
    ['a Mexican id without the 1', '52', '5512345678', undefined],
    ['a Mexican id with the 1 and nine digits', '52', '1551234567', undefined],
  ])('gives the other number of %s', (_label, callingCode, national, expected) => {
    const rule = COUNTRY_RULES.find((candidate) => candidate.callingCode === callingCode)!;

    expect(rule.otherNumber(national)).toBe(expected);
  });

  it('puts the other number first in every country that has a rule', () => {
    expect(COUNTRY_RULES.map((rule) => [rule.callingCode, rule.mostLikely])).toEqual(callingCodes.map((code) => [code, 'other number']));
  });

  it('puts the id as written first when a rule says it is the most likely', () => {
    // prepare: the Brazilian rule, turned round
    const brazil = COUNTRY_RULES.find((rule) => rule.callingCode === '55')!;
    const turnedRound: CountryRule = { ...brazil, mostLikely: 'as written' };

    // act, assess
    expect(recipientCandidates('551172146473', [turnedRound])).toEqual(['+551172146473', '+5511972146473']);
    expect(recipientCandidates('554192146473', [turnedRound])).toEqual(['+5541992146473']);
  });

  it('reads every id as itself without rules', () => {
    expect(recipientCandidates('551172146473', [])).toEqual(['+551172146473']);
    expect(recipientCandidates('554192146473', [])).toEqual([]);
    expect(recipientCandidates('5215512345678', [])).toEqual([]);
    expect(recipientCandidates('525512345678', [])).toEqual(['+525512345678']);
  });
});

describe('chooseRecipient', () => {
  const MODERN = e164('+5511972146473');
  const OLD = e164('+551172146473');

  /** An isHeld that answers from a set, and counts its calls. */
  function heldAmong(...held: E164[]) {
    const calls: E164[] = [];
    const isHeld = async (phone: E164) => {
      calls.push(phone);
      return held.includes(phone);
    };
    return { isHeld, calls };
  }

  it.each([
    ['first', [MODERN, OLD]],
    ['second', [OLD, MODERN]],
  ])('picks the candidate a profile holds when it is the %s', async (_label, candidates) => {
    const { isHeld } = heldAmong(MODERN);

    await expect(chooseRecipient(candidates, isHeld)).resolves.toBe(MODERN);
  });

  it('falls back to the first candidate when no profile holds any', async () => {
    const { isHeld, calls } = heldAmong();

    await expect(chooseRecipient([MODERN, OLD], isHeld)).resolves.toBe(MODERN);
    expect(calls.sort()).toEqual([MODERN, OLD].sort());
  });

  it('takes the first candidate when profiles hold both', async () => {
    const { isHeld } = heldAmong(MODERN, OLD);

    await expect(chooseRecipient([OLD, MODERN], isHeld)).resolves.toBe(OLD);
    await expect(chooseRecipient([MODERN, OLD], isHeld)).resolves.toBe(MODERN);
  });

  it('takes a single candidate without asking the profiles', async () => {
    const { isHeld, calls } = heldAmong();

    await expect(chooseRecipient([OLD], isHeld)).resolves.toBe(OLD);
    expect(calls).toEqual([]);
  });

  it('gives nothing for no candidates, without asking the profiles', async () => {
    const { isHeld, calls } = heldAmong(MODERN);

    await expect(chooseRecipient([], isHeld)).resolves.toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('fails when the profiles cannot be asked', async () => {
    const failing = async () => {
      throw new Error('store unavailable');
    };

    await expect(chooseRecipient([MODERN, OLD], failing)).rejects.toThrow('store unavailable');
  });

  it('works with the candidates of the fixture id', async () => {
    const { isHeld, calls } = heldAmong();

    await expect(chooseRecipient(recipientCandidates('554192146473'), isHeld)).resolves.toBe('+5541992146473');
    expect(calls).toEqual([]);
  });
});
