import fc from 'fast-check';
import { normalisePhone } from '../../../shared/domain/phone.js';

describe('normalisePhone', () => {
  it.each([
    ['+420 777 123 456', '+420777123456'],
    ['00420777123456', '+420777123456'],
    ['+420777123456', '+420777123456'],
    ['420777123456', '+420777123456'],
    ['+55 41 99214-6473', '+5541992146473'],
  ])('reads %j as %s', (input, expected) => {
    expect(normalisePhone(input)).toEqual({ ok: true, phone: expected });
  });

  it.each(['', 'abc', '+420777123456abc', 'call me at +420 777 123 456', 'tel:+420777123456', '+420777123456;', '777 123 456', '+420 777 123 456 ext 5', '+420777123456789', `+${'1'.repeat(70)}`, "1' OR '1'='1"])(
    'refuses %j',
    (input) => {
      expect(normalisePhone(input).ok).toBe(false);
    },
  );

  it('is idempotent: normalising a normalised number gives it back', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (input) => {
        const first = normalisePhone(input);
        if (!first.ok) return;
        expect(normalisePhone(first.phone)).toEqual(first);
      }),
      { numRuns: 2000 },
    );
  });
});
