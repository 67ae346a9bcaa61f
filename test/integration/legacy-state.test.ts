import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ConsentEvent } from '../../shared/domain/consent-event.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventOf } from '../support/consent/signal-events.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { recordRequestOf } from '../support/requests.js';
import { e164 } from '../unit/support/samples.js';
import { applyEvents } from '../support/apply-events.js';

/*
 * A state item as the processor wrote it before it kept registers, in DynamoDB Local: read as it was
 * shown, the next event goes on from the history it stands for, and the item is written back with its
 * registers. No backfill is needed.
 */
const resources = await provisionIsolatedResources();
const { handler: processor } = await import('../../functions/processor/handler.js');

async function deliver(event: ConsentEvent): Promise<void> {
  await recordRequestOf(resources.dynamoDb, resources.consentTableName, event);
  await applyEvents(processor, [event]);
}

const stateItem = async (phone: string) =>
  (await resources.dynamoDb.send(new GetCommand({ TableName: resources.consentTableName, Key: { pk: `PHONE#${phone}`, sk: 'STATE' }, ConsistentRead: true }))).Item;

describe('a state item written before the registers', () => {
  it('keeps a provider block against a later START, and is written back with registers that hold it', async () => {
    // prepare: blocked by a 131026 failure after an editor's unblock, as the old processor wrote it
    const phone = e164(uniquePhone());
    await resources.dynamoDb.send(
      new PutCommand({
        TableName: resources.consentTableName,
        Item: {
          pk: `PHONE#${phone}`, sk: 'STATE', phone, blocked: true, source: 'automatic', reason: 'Message undeliverable', reasonCode: '131026',
          updatedAt: '2026-03-01T10:00:03.000Z', updatedBy: 'whatsapp:106540352242922', version: 3, lastSeq: 2,
          decidedAt: '2026-03-01T10:00:02.000Z', automaticAt: '2026-03-01T10:00:03.000Z',
          listName: 'BLOCKED#0', listedAt: '2026-03-01T10:00:03.000Z',
        },
      }),
    );

    // act: the recipient writes START
    await deliver(eventOf({ kind: 'keyword', word: 'start', at: '2026-03-01T10:00:09.000Z' }, phone, `${phone}-start`));

    // assess
    expect(await stateItem(phone)).toMatchObject({
      blocked: true,
      source: 'automatic',
      reasonCode: '131026',
      version: 4,
      registers: { failure: { at: '2026-03-01T10:00:03.000Z', reasonCode: '131026' }, editors: { action: 'unblock', sequence: 2 }, keyword: { keyword: 'start' } },
    });

    // act: an editor's unblock after it lifts the block
    await deliver(eventOf({ kind: 'decision', action: 'unblock', sequence: 3, at: '2026-03-01T10:00:10.000Z' }, phone, `${phone}-unblock`));
    expect(await stateItem(phone)).toMatchObject({ blocked: false, source: 'manual', version: 5 });
  });
});
