import { ENV } from '../../shared/config.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { countsIn, metricLinesOf } from '../support/metric-lines.js';
import { apiEvent, editor, invoke } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { batch, takeMessages } from '../support/sqs-records.js';
import { INTEGRATION_APP_SECRET, postCallback } from '../support/webhook-calls.js';
import { callbackBody, statusObject } from '../support/whatsapp-callbacks.js';

/*
 * What operators count, as the functions write it: Powertools' embedded-metric-format lines on standard
 * output, which CloudWatch turns into metrics in AWS. The suite's setup turns metrics off; this file
 * turns them on for the handlers it imports, and reads what they print.
 */
const resources = await provisionIsolatedResources();
process.env[ENV.whatsappAppSecret] = INTEGRATION_APP_SECRET;
process.env[ENV.whatsappVerifyToken] = 'integration-verify-token';
delete process.env[ENV.autoBlockCodes];
const metricsSetting = process.env['POWERTOOLS_METRICS_DISABLED'];
process.env['POWERTOOLS_METRICS_DISABLED'] = 'false';

const profiles = await import('../../functions/profiles/handler.js');
const requests = await import('../../functions/consent-requests/handler.js');
const api = consentApi({ profiles, requests });
const webhook = await import('../../functions/whatsapp-webhook/handler.js');
const check = await import('../../functions/blocklist-check/handler.js');
const { handler: processor } = await import('../../functions/processor/handler.js');

afterAll(() => {
  if (metricsSetting === undefined) delete process.env['POWERTOOLS_METRICS_DISABLED'];
  else process.env['POWERTOOLS_METRICS_DISABLED'] = metricsSetting;
});

describe('metrics in the embedded metric format', () => {
  it('counts a delivery failure by class at the webhook, and the automatic block at the processor, under the service dimension', async () => {
    // prepare
    const phone = uniquePhone();
    const body = callbackBody(statusObject({ recipientId: phone.slice(1) }), statusObject({ recipientId: phone.slice(1), status: 'delivered' }));

    // act
    const webhookLines = await metricLinesOf(() => postCallback(webhook.handler, body));
    const records = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    const processorLines = await metricLinesOf(() => processor(batch(...records), lambdaContext('processor')));
    const againLines = await metricLinesOf(() => processor(batch(...records), lambdaContext('processor')));

    // assess
    expect(countsIn(webhookLines)).toMatchObject({ StatusesRecipientUnreachable: 1, StatusesOk: 1 });
    expect(countsIn(processorLines)).toMatchObject({ EventsApplied: 1, AutomaticBlocks: 1 });
    expect(countsIn(againLines)).toEqual({ EventsDuplicate: 1 });
    for (const line of [...webhookLines, ...processorLines]) {
      expect(line['service']).toBe('whatsapp-consent');
      expect(line._aws.CloudWatchMetrics.every((directive) => directive.Dimensions.some((set) => set.includes('service')))).toBe(true);
    }
  });

  it('counts the items of a signed callback that the webhook could not read, and answers it 200', async () => {
    // prepare: a status with a placeholder for its time beside a readable one, and a body that is not JSON
    const body = callbackBody(statusObject({ status: 'delivered' }), { ...statusObject({ status: 'delivered' }), timestamp: 'TIMESTAMP' });

    // act
    const lines = await metricLinesOf(async () => {
      expect((await postCallback(webhook.handler, body)).status).toBe(200);
      expect((await postCallback(webhook.handler, '{"entry": [')).status).toBe(200);
    });

    // assess
    expect(countsIn(lines)).toMatchObject({ CallbackItemsUnreadable: 2, StatusesOk: 1 });
  });

  it('counts the numbers a campaign check looked at and found blocked', async () => {
    // prepare: one number blocked by the provider, one never seen
    const blocked = uniquePhone();
    await metricLinesOf(async () => {
      const response = await postCallback(webhook.handler, callbackBody(statusObject({ recipientId: blocked.slice(1) })));
      expect(response.status).toBe(200);
      await processor(batch(...(await takeMessages(resources.sqs, resources.consentQueueUrl, 1))), lambdaContext('processor'));
    });

    // act
    const lines = await metricLinesOf(() =>
      invoke(check.handler, apiEvent('POST /blocklist/check', { body: { phones: [blocked, uniquePhone(), 'not a number'] } })),
    );

    // assess
    expect(countsIn(lines)).toMatchObject({ NumbersChecked: 3, NumbersFoundBlocked: 1 });
  });

  it('counts an accepted request once, not again when its key is replayed', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const block = () =>
      invoke(
        requests.handler,
        apiEvent('POST /profiles/{profileId}/whatsapp/{phone}/block', {
          pathParameters: { profileId, phone },
          body: { reason: 'counted once' },
          headers: { 'idempotency-key': `metrics-${phone}` },
          caller: editor,
        }),
      );

    // act
    const first = await metricLinesOf(async () => expect((await block()).status).toBe(202));
    const replay = await metricLinesOf(async () => expect((await block()).status).toBe(202));

    // assess
    expect(countsIn(first)).toMatchObject({ RequestsAccepted: 1 });
    expect(countsIn(replay)['RequestsAccepted']).toBeUndefined();
  });

  it('writes no line for an invocation that counted nothing', async () => {
    const profileId = await api.createProfile([uniquePhone()]);

    const lines = await metricLinesOf(() => invoke(profiles.handler, apiEvent('GET /profiles/{profileId}/whatsapp', { pathParameters: { profileId } })));

    expect(lines.filter((line) => Object.keys(countsIn([line])).some((name) => name !== 'ColdStart'))).toEqual([]);
  });
});
