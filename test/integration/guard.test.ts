import { ENV } from '../../shared/config.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord } from '../support/sqs-records.js';
import { allItems } from '../support/tables.js';
import { e164, sampleAutomaticEvent } from '../unit/support/samples.js';
import type { SQSBatchResponse } from 'aws-lambda';

/*
 * The auto-block guard's count is exact under concurrency: many processors apply one sender's failures
 * at once, each in a transaction of its own against DynamoDB Local, and exactly the limit is applied.
 */

const LIMIT = 5;
const resources = await provisionIsolatedResources();
process.env[ENV.autoBlockGuardLimit] = String(LIMIT);
const { handler: processor } = await import('../../functions/processor/handler.js');

/** Delivers each event in a batch of its own, all at once, and again (as SQS would) those that failed. */
async function deliverConcurrently(bodies: string[]): Promise<void> {
  let pending = bodies;
  for (let round = 0; pending.length > 0; round++) {
    if (round === 5) throw new Error(`${pending.length} deliveries kept failing`);
    const results = await Promise.all(
      pending.map(async (body) => ((await processor(batch(sqsRecord(body)), lambdaContext('processor'))) as SQSBatchResponse).batchItemFailures.length > 0),
    );
    pending = pending.filter((_, index) => results[index]);
  }
}

describe('the auto-block guard under concurrency', () => {
  it(`applies exactly ${LIMIT} of one sender's 20 concurrent failures and holds 15, and a second delivery of all changes nothing`, async () => {
    const sender = `sender-${Date.now()}`;
    const phones = Array.from({ length: 20 }, () => e164(uniquePhone()));
    const bodies = phones.map((phone, index) =>
      JSON.stringify(
        sampleAutomaticEvent({
          eventId: `wa-guard-${sender}-${index}`,
          phone,
          recipientId: phone.slice(1),
          actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: sender },
          occurredAt: new Date().toISOString().replace(/\.\d+Z$/, '.000Z'),
        }),
      ),
    );

    await deliverConcurrently(bodies);
    await deliverConcurrently(bodies);

    const items = await allItems(resources.dynamoDb as never, resources.consentTableName);
    const ours = items.filter((item) => phones.some((phone) => item['pk'] === `PHONE#${phone}`));
    const blocked = ours.filter((item) => item['sk'] === 'STATE' && item['blocked'] === true);
    const held = ours.filter((item) => String(item['sk']).startsWith('HELD#'));
    const counted = items.filter((item) => item['pk'] === `GUARD#${sender}`).reduce((sum, item) => sum + Number(item['count']), 0);
    expect(blocked).toHaveLength(LIMIT);
    expect(held).toHaveLength(20 - LIMIT);
    expect(new Set([...blocked, ...held].map((item) => item['pk']))).toEqual(new Set(phones.map((phone) => `PHONE#${phone}`)));
    expect(counted).toBe(LIMIT);
    const audit = await allItems(resources.dynamoDb as never, resources.auditTableName);
    const outcomes = audit.filter((item) => String(item['eventId']).startsWith(`wa-guard-${sender}`)).map((item) => item['outcome']);
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(LIMIT);
    expect(outcomes.filter((outcome) => outcome === 'held')).toHaveLength(20 - LIMIT);
  });
});
