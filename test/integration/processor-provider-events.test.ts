import { randomUUID } from 'node:crypto';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord, takeMessages } from '../support/sqs-records.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { sampleAutomaticEvent } from '../unit/support/samples.js';
import type { E164 } from '../../shared/domain/phone.js';
import { auditEntriesOf } from '../support/tables.js';

/*
 * Provider failures against manual decisions, through the real processor on DynamoDB Local: an event is
 * applied once by its id, whichever number it resolves to; a manual request made before a failure does
 * not overturn it, however late it is applied.
 */

const resources = await provisionIsolatedResources();
const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const { handler: processor } = await import('../../functions/processor/handler.js');
const process = (body: string, groupId: string) => processor(batch(sqsRecord(body, { groupId })), lambdaContext('processor'));

const auditOf = (phone: string) => auditEntriesOf(resources, phone);

const blockedOn = async (profileId: string, phone: string) => (await api.view(profileId)).numbers.find((number) => number.phone === phone)?.blocked;

describe('a provider failure whose WhatsApp id could be either of two Brazilian numbers', () => {
  it('is applied once, even when a later delivery would resolve it to the other number', async () => {
    // prepare: 551172146473 may be the landline +55 11 7214-6473 or the mobile +55 11 97214-6473
    const landline = '+551172146473' as E164;
    const mobile = '+5511972146473' as E164;
    const failure = sampleAutomaticEvent({ eventId: `wa-${randomUUID()}`, phone: landline, alternatives: [mobile], recipientId: '551172146473' });
    const body = JSON.stringify(failure);

    // act: delivered once while no profile holds either; then a profile takes the mobile; delivered again
    expect((await process(body, landline)).batchItemFailures).toEqual([]);
    const profileId = await api.createProfile([mobile]);
    expect((await process(body, landline)).batchItemFailures).toEqual([]);

    // assess: one number blocked, one audit entry, in all
    expect(await auditOf(landline)).toHaveLength(1);
    expect(await auditOf(mobile)).toHaveLength(0);
    expect(await blockedOn(profileId, mobile)).toBe(false);
  });
});

describe('a manual request made before a provider failure', () => {
  it('is superseded when it is applied after the failure, and the number stays blocked', async () => {
    // prepare: an editor blocked the number; an unblock is requested at T1 and its event waits
    const phone = uniquePhone() as E164;
    const profileId = await api.createProfile([phone]);
    await api.request('block', profileId, phone);
    const [block] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    await processor(batch(block!), lambdaContext('processor'));
    const unblockId = await api.request('unblock', profileId, phone, 'customer asked again');
    const [unblock] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    const requestedAt = (JSON.parse(unblock!.body) as { requestedAt: string }).requestedAt;

    // act: the provider reports at T2 > T1 that the number is not on WhatsApp; then the unblock arrives
    const failure = sampleAutomaticEvent({
      eventId: `wa-${randomUUID()}`,
      phone,
      recipientId: phone.slice(1),
      occurredAt: new Date(Date.parse(requestedAt) + 2_000).toISOString(),
    });
    expect((await process(JSON.stringify(failure), phone)).batchItemFailures).toEqual([]);
    expect((await processor(batch(unblock!), lambdaContext('processor'))).batchItemFailures).toEqual([]);

    // assess
    expect(await api.requestStatus(unblockId)).toBe('superseded');
    expect(await blockedOn(profileId, phone)).toBe(true);
    expect((await auditOf(phone)).map((entry) => [entry.action, entry.outcome]).sort()).toEqual([
      ['block', 'applied'],
      ['unblock', 'superseded'],
      ['wa_blocked', 'unchanged'],
    ]);
  });
});
