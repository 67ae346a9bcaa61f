import { importKeys } from '../../../shared/adapters/import-store.js';
import { keys } from '../../../shared/adapters/keys.js';
import { IMPORT_KINDS, KEY_KINDS, kindOnNumber, kindsOnNumber, UnknownItemError, type ItemKind } from '../../../shared/adapters/personal-data/item-kinds.js';
import { ERASURE_STEPS } from '../../../shared/domain/personal-data/number-records.js';
import { PHONE } from '../support/samples.js';

/*
 * The list of item kinds that the export and the erasure of a person's data follow: a kind of item that
 * holds a number and is not listed, or listed wrongly, fails here (and, for a new entry of `keys`, does
 * not compile).
 */

type KeyFunction = (...args: unknown[]) => { pk: string; sk: string };
const all = { ...KEY_KINDS, ...IMPORT_KINDS } as Record<string, ItemKind>;
const keyFunctions = { ...keys, ...importKeys } as Record<string, unknown>;
/** The key an entry of `keys` makes for the sample number (and ids), when it makes one. */
const keyOf = (name: string) => {
  const make = keyFunctions[name];
  if (typeof make !== 'function') return undefined;
  const key = (make as KeyFunction)(PHONE, 'id-1', 'id-2');
  return typeof key === 'object' && 'pk' in key ? key : undefined;
};

describe('the item kinds of a person\'s data', () => {
  it('classify every entry of keys and importKeys', () => {
    expect(Object.keys(KEY_KINDS).sort()).toEqual(Object.keys(keys).sort());
    expect(Object.keys(IMPORT_KINDS).sort()).toEqual(Object.keys(importKeys).sort());
  });

  it.each(Object.keys(all))('%s: an item kind has a key function, and what is not an item has none', (name) => {
    expect(keyOf(name) !== undefined).toBe(all[name]?.holds !== 'not an item');
  });

  it.each(Object.entries(all).filter(([, kind]) => kind.holds === 'a number'))('%s: is on the number\'s partition exactly when the list says so', (name, kind) => {
    const onNumber = kind.holds === 'a number' && kind.partition === 'number';
    expect(keyOf(name)?.pk === `PHONE#${PHONE}`).toBe(onNumber);
  });

  it.each(kindsOnNumber())('%s: is told apart on the number\'s partition by its sort key', (name) => {
    expect(kindOnNumber(keyOf(name)!.sk)).toBe(name);
  });

  it('stops at an item of a kind it does not know on a number\'s partition', () => {
    expect(() => kindOnNumber('CONSENT_NOTE#1')).toThrow(UnknownItemError);
    expect(() => kindOnNumber('STATEX')).toThrow(UnknownItemError);
  });

  it('leaves no kind that holds a number without a place in the export (or a reason) and an erasure step (or a reason)', () => {
    const holding = Object.values(all).filter((kind) => kind.holds === 'a number');
    const steps = new Set(holding.flatMap((kind) => (typeof kind.erasedBy === 'string' ? [kind.erasedBy] : [])));

    for (const kind of holding) {
      expect(typeof kind.exportedIn === 'string' || kind.exportedIn.omitted.length > 0).toBe(true);
      expect(typeof kind.erasedBy === 'string' || kind.erasedBy.kept.length > 0).toBe(true);
    }
    // Every step of the erasure erases some kind, and every kind's step is one the erasure takes.
    expect([...steps].sort()).toEqual([...ERASURE_STEPS].sort());
  });
});
