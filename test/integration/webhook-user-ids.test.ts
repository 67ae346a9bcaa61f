import { readFileSync } from 'node:fs';
import { ENV } from '../../shared/config.js';
import { INTEGRATION_APP_SECRET, postCallback } from '../support/webhook-calls.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, invoke } from '../support/api-events.js';
import { batch, takeMessages } from '../support/sqs-records.js';
import { queueDepth } from '../support/tables.js';

/*
 * Business-scoped user ids through the webhook, the queue and the processor on the emulators, with the
 * provider's own payloads: a failure that names its recipient by user id alone waits, listed, until
 * a signed callback pairs the id with a number, and is then applied to that number.
 */

const resources = await provisionIsolatedResources();
process.env[ENV.whatsappAppSecret] = INTEGRATION_APP_SECRET;
process.env[ENV.whatsappVerifyToken] = 'integration-verify-token';

const webhook = await import('../../functions/whatsapp-webhook/handler.js');
const review = await import('../../functions/blocklist-review/handler.js');
const history = await import('../../functions/history/handler.js');
const { handler: processor } = await import('../../functions/processor/handler.js');

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
/** The user id both fixtures name, and the number the inbound one shows beside it. */
const USER = 'US.13491208655302741918';
const PAIRED_PHONE = '+16505551234';

async function post(body: string) {
  const response = await postCallback(webhook.handler, body);
  expect(response.status).toBe(200);
  const count = response.body.enqueued + response.body.pairings;
  const records = await takeMessages(resources.sqs, resources.consentQueueUrl, count);
  if (records.length > 0) await processor(batch(...records), lambdaContext('processor'));
  return response.body as { statuses: number; messages: number; enqueued: number; unresolved: number; pairings: number };
}

const unresolved = async () => (await invoke(review.handler, apiEvent('GET /blocklist/unresolved'))).body as { count: number; items: Record<string, unknown>[] };
const numberHistory = async () =>
  (await invoke(history.handler, apiEvent('GET /numbers/{phone}/history', { pathParameters: { phone: PAIRED_PHONE } }))).body.items as Record<string, unknown>[];

describe('user ids, from the fixtures', () => {
  it('keeps a failure named by user id alone until the inbound STOP pairs the id, then blocks the paired number for the named profile', async () => {
    // act: the failure (meta-status-failed-bsuid-only.json)
    const failure = await post(fixture('meta-status-failed-bsuid-only.json'));

    // assess: kept and listed, nothing enqueued
    expect(failure).toMatchObject({ statuses: 1, enqueued: 0, unresolved: 1, pairings: 0 });
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
    expect(await unresolved()).toMatchObject({ count: 1, items: [{ userId: USER, reasonCode: '131026', profileId: 'crm-1001' }] });

    // act: the recipient writes " Stop " (meta-inbound-text-stop.json), whose contact shows the id beside the number
    const stop = await post(fixture('meta-inbound-text-stop.json'));

    // assess: the pairing applied the failure, and the STOP found the number blocked already
    expect(stop).toMatchObject({ messages: 1, enqueued: 1, pairings: 1 });
    expect(await unresolved()).toEqual({ count: 0, items: [], nextCursor: null });
    const entries = await numberHistory();
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'wa_blocked', outcome: 'applied', profileId: 'crm-1001', reasonCode: '131026', source: 'automatic' }),
        expect.objectContaining({ action: 'wa_stop_keyword', outcome: 'unchanged' }),
      ]),
    );

    // act, assess: the same failure again now goes straight to the number, as a repeat of an applied event
    const again = await post(fixture('meta-status-failed-bsuid-only.json'));
    expect(again).toMatchObject({ enqueued: 1, unresolved: 0 });
    expect(await numberHistory()).toHaveLength(entries.length);
  });
});
