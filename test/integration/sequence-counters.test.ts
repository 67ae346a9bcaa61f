import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { uniquePhone } from '../support/consent-api.js';
import { counterStart, SequenceCounters } from '../../shared/adapters/requests/sequences.js';
import { keys } from '../../shared/adapters/keys.js';
import type { E164 } from '../../shared/domain/phone.js';

/*
 * Each number's request counter against DynamoDB Local. An erasure deletes the counter; the one made
 * again afterwards must hand out sequences above every one the deleted counter gave, or a request made
 * after the erasure would be superseded by one made before it.
 */
const resources = await provisionIsolatedResources();
let nowMs = Date.UTC(2026, 11, 7, 21, 0, 0);
const counters = new SequenceCounters(resources.consentTableName, () => nowMs);
const deleteCounter = (phone: E164) => resources.dynamoDb.send(new DeleteCommand({ TableName: resources.consentTableName, Key: keys.sequence(phone) }));

describe('a number’s request counter', () => {
  it('starts at the time, and counts up by one from there', async () => {
    const phone = uniquePhone() as E164;

    const taken = [await counters.nextSequence(phone), await counters.nextSequence(phone)];
    const reserved = await counters.reserveSequences(new Map([[phone, 3]]));

    expect(taken).toEqual([counterStart(nowMs) + 1, counterStart(nowMs) + 2]);
    expect(reserved.get(phone)).toBe(counterStart(nowMs) + 3);
    expect(await counters.nextSequence(phone)).toBe(counterStart(nowMs) + 6);
  });

  it.each([
    ['one at a time', (phone: E164) => counters.nextSequence(phone)],
    ['reserved for an import', async (phone: E164) => (await counters.reserveSequences(new Map([[phone, 2]]))).get(phone) ?? 0],
  ])('made again a millisecond after its deletion, hands out sequences above all it gave before (%s)', async (_, take) => {
    const phone = uniquePhone() as E164;
    const before: number[] = [];
    for (let request = 0; request < 900; request += 100) before.push((await counters.reserveSequences(new Map([[phone, 100]]))).get(phone) ?? 0);
    before.push(await counters.nextSequence(phone));
    await deleteCounter(phone);
    nowMs += 1;

    const after = await take(phone);

    expect(after).toBeGreaterThan(Math.max(...before));
  });

  it('goes on from its value when it was made before counters started at the time', async () => {
    const phone = uniquePhone() as E164;
    await resources.dynamoDb.send(new PutCommand({ TableName: resources.consentTableName, Item: { ...keys.sequence(phone), value: 7 } }));

    expect(await counters.nextSequence(phone)).toBe(8);
    expect((await counters.reserveSequences(new Map([[phone, 2]]))).get(phone)).toBe(9);
  });
});
