import { confirmationProblem, deletedLines, suppressionWords } from '../../../web/src/model/erasure.js';

/** The console's words around an erasure of a number's personal data. */

describe('confirmationProblem', () => {
  it('accepts the number typed again in any international form', () => {
    for (const typed of ['+420777123456', '+420 777 123 456', '00420 777 123 456', ' 420777123456 ']) {
      expect(confirmationProblem(typed, '+420777123456')).toBeUndefined();
    }
  });

  it('refuses nothing typed, another number, and what is not a number, naming the number to type', () => {
    expect(confirmationProblem('  ', '+420777123456')).toBe('Type the number again to confirm: +420 777 123 456.');
    expect(confirmationProblem('+420777123457', '+420777123456')).toBe('That is not the number to erase. Type +420 777 123 456 again to confirm.');
    expect(confirmationProblem('yes', '+420777123456')).toMatch(/not the number/);
  });
});

describe('deletedLines', () => {
  it('names each kind with its count, in the singular for one, and none too', () => {
    expect(deletedLines({ historyEntries: 3, requests: 1, profiles: 1, pairings: 0, held: 0, unresolved: 2, importRows: 1 })).toEqual([
      '3 history entries',
      '1 block or unblock request',
      '1 profile the number left',
      '0 WhatsApp user id pairings',
      '0 held automatic blocks',
      '2 unresolved reports',
      '1 row of a blocklist import',
    ]);
  });
});

describe('suppressionWords', () => {
  it('says whether the objection stayed', () => {
    expect(suppressionWords({ suppressionKept: true })).toMatch(/^A suppression record stayed/);
    expect(suppressionWords({ suppressionKept: false })).toMatch(/^Nothing stayed/);
  });
});
