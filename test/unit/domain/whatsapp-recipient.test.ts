import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalisePhone, type E164 } from '../../../shared/domain/phone.js';
import { chooseRecipient, recipientCandidates } from '../../../shared/domain/whatsapp-recipient.js';
import { e164 } from '../support/samples.js';

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
  ])('reads the non-Brazilian id %p as %p', (waId, expected) => {
    expect(recipientCandidates(waId)).toEqual([expected]);
  });

  it('gives both numbers for an ambiguous Brazilian id, the one with the ninth digit first', () => {
    // prepare: both forms are valid numbers for the full metadata
    expect(parsePhoneNumberFromString('+5511972146473')?.isValid()).toBe(true);
    expect(parsePhoneNumberFromString('+551172146473')?.isValid()).toBe(true);

    // act, assess
    expect(recipientCandidates('551172146473')).toEqual(['+5511972146473', '+551172146473']);
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
    ['non-ASCII digits', '４２０７７７１２３４５６'],
  ])('gives no candidate for %s', (_label, waId) => {
    expect(recipientCandidates(waId)).toEqual([]);
  });

  it('gives valid E.164 numbers of the id\'s own country, each once, at most two', () => {
    const brazilianOldMobile = fc
      .tuple(fc.integer({ min: 11, max: 99 }), fc.integer({ min: 6, max: 9 }), fc.stringMatching(/^\d{7}$/))
      .map(([area, first, rest]) => `55${area}${first}${rest}`);
    const digits = fc.stringMatching(/^\d{0,16}$/);
    const valid = fc.constantFrom('420777123456', '41791234567', '5541992146473', '14155552671', '447911123456', '4915123456789');

    fc.assert(
      fc.property(fc.oneof(brazilianOldMobile, digits, valid), (waId) => {
        // act
        const candidates = recipientCandidates(waId);

        // assess
        expect(candidates.length).toBeLessThanOrEqual(2);
        expect(new Set(candidates).size).toBe(candidates.length);
        for (const candidate of candidates) {
          expect(candidate).toMatch(/^\+[1-9]\d{6,14}$/);
          expect(normalisePhone(candidate)).toEqual({ ok: true, phone: candidate });
          const countryCode = parsePhoneNumberFromString(candidate)!.countryCallingCode;
          expect(waId.startsWith(countryCode)).toBe(true);
          expect(candidate.startsWith(`+${waId.slice(0, countryCode.length)}`)).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads any valid number written without + as that number first', () => {
    const valid = fc.constantFrom('+420777123456', '+41791234567', '+5541992146473', '+14155552671', '+447911123456', '+5511972146473');

    fc.assert(
      fc.property(valid, (phone) => {
        expect(recipientCandidates(phone.slice(1))[0]).toBe(phone);
      }),
    );
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
