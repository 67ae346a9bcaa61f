import fc from 'fast-check';
import {
  deliveryStatusesOf,
  inboundMessagesOf,
  numberChangesOf,
  pairingsOf,
  preferencesOf,
  readCallback,
  unreadableItems,
} from '../../../../shared/domain/whatsapp/callback.js';
import { digitsAsNumbers, junk, mutated, mutation, withUnknownFields } from '../../support/json-mutations.js';
import { metaWebhookShapes } from '../../support/webhook-function.js';

/*
 * The parser reads whatever it is given: Meta's payloads damaged at random (fields dropped, types
 * swapped, strings turned into numbers, junk added) never make it throw, and what was not damaged is
 * still found.
 */

const shapes = metaWebhookShapes().map(([name, body]) => [name, JSON.parse(body)] as const);

/** Everything the service reads in a callback, and how many items it could not read. */
function readingOf(body: unknown) {
  const { callback, unreadable } = readCallback(body);
  return {
    statuses: deliveryStatusesOf(callback),
    messages: inboundMessagesOf(callback),
    preferences: preferencesOf(callback),
    numberChanges: numberChangesOf(callback),
    pairings: pairingsOf(callback),
    unreadable: unreadableItems(unreadable),
  };
}

/** The ids of what a reading found, by kind. */
function idsOf(reading: ReturnType<typeof readingOf>) {
  return {
    statuses: reading.statuses.map(({ messageId }) => messageId),
    messages: reading.messages.map(({ messageId }) => messageId),
    preferences: reading.preferences.map(({ recipientId, value }) => `${recipientId}:${value}`),
    numberChanges: reading.numberChanges.map(({ messageId }) => messageId),
  };
}

const shape = fc.constantFrom(...shapes);

describe('readCallback on damaged payloads', () => {
  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        expect(() => readingOf(body)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on Meta's payloads damaged anywhere, and counts what it could not read", () => {
    fc.assert(
      fc.property(shape, fc.array(mutation(), { minLength: 1, maxLength: 6 }), ([, body], mutations) => {
        const reading = readingOf(mutated(body, mutations));

        expect(reading.unreadable).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(reading.unreadable)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the same signals when unknown fields of any junk are added to every object', () => {
    fc.assert(
      fc.property(shape, fc.string({ maxLength: 8 }), junk, ([, body], key, value) => {
        expect(readingOf(withUnknownFields(body, key, value))).toEqual(readingOf(body));
      }),
      { numRuns: 200 },
    );
  });

  it.each(shapes)('reads the same signals in %s when its digit strings are written as numbers', (_name, body) => {
    expect(readingOf(digitsAsNumbers(body))).toEqual(readingOf(body));
  });

  it('still finds an item when its twin in the same list is damaged', () => {
    // Each shape with one usable item gets a twin of that item (another id) and the twin is damaged.
    const lists = ['statuses', 'messages', 'user_preferences'] as const;
    const withItem = shapes.flatMap(([name, body]) => {
      const value = body.entry?.[0]?.changes?.[0]?.value;
      const list = lists.find((key) => Array.isArray(value?.[key]) && value[key].length === 1);
      return list && Object.values(idsOf(readingOf(body))).flat().length === 1 ? [{ name, body, list }] : [];
    });
    expect(withItem.length).toBeGreaterThan(20);

    fc.assert(
      fc.property(fc.constantFrom(...withItem), fc.array(mutation(), { minLength: 1, maxLength: 4 }), ({ body, list }, mutations) => {
        // prepare
        const callback = structuredClone(body);
        const items = callback.entry[0].changes[0].value[list];
        const twin = { ...items[0], id: 'wamid.twin', wa_id: '420777123456' };
        items.push(mutated(twin, mutations));

        // act
        const reading = readingOf(callback);

        // assess: the original is found as before; the twin is found, or counted as unreadable, or ignored
        const before = idsOf(readingOf(body));
        const after = idsOf(reading);
        for (const kind of Object.keys(before) as (keyof typeof before)[]) {
          expect(after[kind].slice(0, before[kind].length)).toEqual(before[kind]);
        }
      }),
      { numRuns: 500 },
    );
  });
});
