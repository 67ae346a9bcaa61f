import fc from 'fast-check';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/adapters/keys.js';
import type { ConsentEvent } from '../../shared/domain/consent-event.js';
import { consentOf } from '../../shared/domain/consent/registers.js';
import { uniquePhone } from '../support/consent-api.js';
import { fold } from '../support/consent/reference-fold.js';
import { deliveries, eventOf } from '../support/consent/signal-events.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { recordRequestOf } from '../support/requests.js';
import { e164 } from '../unit/support/samples.js';
import { auditEntriesOf } from '../support/tables.js';
import { applyEvents } from '../support/apply-events.js';

/*
 * The guarantee of order independence through the real processor and its transactions on DynamoDB
 * Local: each case is a fresh number whose signals arrive in a generated order, some twice; the state
 * the processor leaves is the reference fold's, and the history has one entry per signal.
 */
const resources = await provisionIsolatedResources();
const { handler: processor } = await import('../../functions/processor/handler.js');
const { DynamoConsentStateStore } = await import('../../shared/adapters/consent-state-store.js');
const states = new DynamoConsentStateStore(resources.consentTableName);

/** A released block settles the held entry it came from: the entry is there until the release is applied. */
async function holdFor(event: ConsentEvent): Promise<void> {
  if (event.source !== 'automatic' || !event.release) return;
  const heldEventId = event.release.heldEventId;
  await resources.dynamoDb.send(
    new PutCommand({
      TableName: resources.consentTableName,
      Item: { ...keys.held(event.phone, heldEventId), phone: event.phone, eventId: heldEventId, sender: event.actor.phoneNumberId, failedAt: event.occurredAt, heldAt: event.occurredAt, event: { ...event, release: undefined, eventId: heldEventId } },
    }),
  );
}

const historyOf = (phone: string) => auditEntriesOf(resources, phone);

const RUNS = 250;

describe('order independence through the processor on DynamoDB Local', () => {
  it(`leaves the reference fold's state for ${RUNS} generated signal sets in shuffled orders with repeats`, async () => {
    await fc.assert(
      fc.asyncProperty(deliveries(7, 2), async ({ signals, arrival }) => {
        // prepare
        const phone = e164(uniquePhone());
        const events = signals.map((signal, index) => eventOf(signal, phone, `${phone}-${index}`));
        await Promise.all(events.map(holdFor));
        await Promise.all(events.map((event) => recordRequestOf(resources.dynamoDb, resources.consentTableName, event)));

        // act
        await applyEvents(processor, arrival.map((index) => events[index]!));

        // assess: the state, shown as stored and as its registers say
        const state = await states.get(phone);
        const expected = fold(signals);
        expect({ blocked: state?.blocked ?? false, source: state?.blocked ? state.source : undefined, marketingOptOut: state?.marketingOptOut !== undefined }).toEqual(expected);
        expect(consentOf(state?.registers ?? {}).blocked).toBe(expected.blocked);
        // assess: one history entry per signal, whatever the repeats
        expect(new Set((await historyOf(phone)).map((entry) => entry['eventId']))).toEqual(new Set(events.map((event) => event.eventId)));
        expect(await historyOf(phone)).toHaveLength(events.length);
      }),
      { numRuns: RUNS },
    );
  }, 240_000);
});
