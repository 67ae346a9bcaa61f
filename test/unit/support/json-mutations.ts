import fc from 'fast-check';

/**
 * Random damage to JSON documents, for property tests of code that must read whatever it is sent: a
 * field dropped, a string turned into a number and back, a value swapped for another type, fields and
 * nested junk added.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

export type MutationKind = 'drop' | 'to-number' | 'to-string' | 'replace' | 'add-field' | 'nest';

export interface Mutation {
  kind: MutationKind;
  /** Picks the place: an index into every place of the document, modulo their number. */
  place: number;
  junk: Json;
  key: string;
}

/** Junk small enough to keep a run fast, deep enough to reach every type. */
export const junk = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;

export const mutation = (kinds: readonly MutationKind[] = ['drop', 'to-number', 'to-string', 'replace', 'add-field', 'nest']): fc.Arbitrary<Mutation> =>
  fc.record({ kind: fc.constantFrom(...kinds), place: fc.nat(), junk, key: fc.string({ maxLength: 12 }) });

/** Every place in a document where a value sits: its container and its key or index. */
function placesOf(document: Json): [Container, string | number][] {
  const places: [Container, string | number][] = [];
  const pending: Json[] = [document];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Array.isArray(next)) next.forEach((child, index) => (places.push([next as Json[], index]), pending.push(child)));
    else if (next !== null && typeof next === 'object') for (const [key, child] of Object.entries(next)) places.push([next, key]), pending.push(child);
  }
  return places;
}

/** The value as a number: a string's digits, or its length when it spells none. */
function asNumber(value: Json): Json {
  if (typeof value !== 'string') return typeof value === 'number' ? value : 0;
  const number = Number(value);
  return value.trim() !== '' && Number.isFinite(number) ? number : value.length;
}

/** Applies the mutations to a copy of the document, in order; a document with no places is left as it is. */
export function mutated(document: Json, mutations: readonly Mutation[]): Json {
  const copy = structuredClone(document);
  for (const { kind, place, junk: value, key } of mutations) {
    const places = placesOf(copy);
    if (places.length === 0) continue;
    const [container, at] = places[place % places.length]!;
    const current = (container as Record<string | number, Json>)[at]!;
    const set = (next: Json) => ((container as Record<string | number, Json>)[at] = next);
    switch (kind) {
      case 'drop':
        if (Array.isArray(container)) container.splice(at as number, 1);
        else delete container[at as string];
        break;
      case 'to-number':
        set(asNumber(current));
        break;
      case 'to-string':
        set(typeof current === 'object' && current !== null ? JSON.stringify(current) : String(current));
        break;
      case 'replace':
        set(value);
        break;
      case 'add-field':
        if (Array.isArray(current)) current.push(value);
        else if (current !== null && typeof current === 'object') current[`x_${key}`] = value;
        else set({ value: current, [`x_${key}`]: value });
        break;
      case 'nest':
        set(Array.isArray(current) ? { items: current } : [current]);
        break;
    }
  }
  return copy;
}

/** The document with every string of digits (no leading zero, at most 15 digits) written as a number. */
export function digitsAsNumbers(document: Json): Json {
  const copy = structuredClone(document);
  for (const [container, at] of placesOf(copy)) {
    const value = (container as Record<string | number, Json>)[at];
    if (typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value)) (container as Record<string | number, Json>)[at] = Number(value);
  }
  return copy;
}

/** The document with an unknown field of junk added to every object in it. */
export function withUnknownFields(document: Json, key: string, value: Json): Json {
  const copy = structuredClone(document);
  for (const [container, at] of placesOf(copy)) {
    const child = (container as Record<string | number, Json>)[at];
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) child[`x_${key}`] = value;
  }
  if (copy !== null && typeof copy === 'object' && !Array.isArray(copy)) copy[`x_${key}`] = value;
  return copy;
}
