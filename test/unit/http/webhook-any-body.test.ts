import { jest } from '@jest/globals';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { METRIC } from '../../../shared/metric-names.js';
import { deliveryStatusesOf, inboundMessagesOf, preferencesOf, readCallback, unreadableItems } from '../../../shared/domain/whatsapp/callback.js';
import { gatewayEvent, invoke } from '../../support/api-events.js';
import { INTEGRATION_APP_SECRET } from '../../support/webhook-calls.js';
import { callbackBody, signatureOf, statusObject } from '../../support/whatsapp-callbacks.js';
import { mutated, mutation } from '../support/json-mutations.js';
import { metaWebhookShapes, webhookFunction } from '../support/webhook-function.js';

/*
 * "Every signed callback is answered 200, whatever fields or types it carries; only a bad signature is
 * refused" (SPEC behaviour 14), through the whole webhook function with its AWS clients mocked: what it
 * cannot read is logged (WARN) and counted (CallbackItemsUnreadable), never refused, since Meta retries
 * anything but a 200 for days.
 */

const { handler, post, sqs } = await webhookFunction();
const { logger, metrics } = await import('../../../shared/observability.js');

/** Posts raw bytes, signed, as API Gateway hands over a body it deems binary (base64). */
function postBytes(bytes: Buffer) {
  return invoke(
    handler,
    gatewayEvent('POST /webhooks/whatsapp', {
      body: bytes.toString('base64'),
      isBase64Encoded: true,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(bytes, INTEGRATION_APP_SECRET) },
      claims: null,
    }),
  );
}

const NOTHING = { statuses: 0, preferences: 0, messages: 0, enqueued: 0, unresolved: 0, pairings: 0 };

let warn: jest.Spied<typeof logger.warn>;
let addMetric: jest.Spied<typeof metrics.addMetric>;
beforeEach(() => {
  warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  addMetric = jest.spyOn(metrics, 'addMetric');
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** The counts of unreadable items the function reported as a metric. */
const unreadableMetrics = () => addMetric.mock.calls.filter(([name]) => name === METRIC.callbackItemsUnreadable).map(([, , value]) => value);

describe('the webhook, given any signed body', () => {
  it('answers a body that is not JSON with 200, logs where and why, and counts it', async () => {
    // act
    const response = await post('{"object": "whatsapp_business_account", "entry": [');

    // assess
    expect(response).toMatchObject({ status: 200, body: { ...NOTHING, unreadable: 1 } });
    expect(warn).toHaveBeenCalledWith('callback items unreadable; acknowledged without them', { items: 1, unreadable: [{ path: 'body', reason: 'is not JSON', items: 1 }] });
    expect(unreadableMetrics()).toEqual([1]);
  });

  it.each([
    ['empty', Buffer.alloc(0), 'is empty'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'is not UTF-8'],
    ['JSON of another kind', Buffer.from('[1, "two", null]'), 'is not a JSON object'],
  ])('answers a body that is %s with 200, and counts it', async (_label, bytes, reason) => {
    const response = await postBytes(bytes);

    expect(response).toMatchObject({ status: 200, body: { ...NOTHING, unreadable: 1 } });
    expect(warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ unreadable: [{ path: 'body', reason, items: 1 }] }));
  });

  it('reads a callback whatever Content-Type it was sent with, or none', async () => {
    const body = callbackBody(statusObject({ status: 'delivered' }));
    const send = (headers: Record<string, string>) =>
      invoke(handler, gatewayEvent('POST /webhooks/whatsapp', { body, headers: { ...headers, 'x-hub-signature-256': signatureOf(body, INTEGRATION_APP_SECRET) }, claims: null }));

    expect(await send({ 'content-type': 'text/plain' })).toMatchObject({ status: 200, body: { statuses: 1, unreadable: 0 } });
    expect(await send({})).toMatchObject({ status: 200, body: { statuses: 1, unreadable: 0 } });
    expect(warn).not.toHaveBeenCalled();
    expect(unreadableMetrics()).toEqual([]);
  });

  it('enqueues the usable statuses of a callback beside malformed ones, and counts the malformed', async () => {
    // prepare: two failures that block, one with a timestamp of no use, and junk
    const good = [statusObject({ recipientId: '420777123456' }), statusObject({ recipientId: '420777123457' })];
    const body = JSON.parse(callbackBody(good[0]!, { ...statusObject({ recipientId: '420777123458' }), timestamp: 'yesterday' }, good[1]!));
    body.entry[0].changes[0].value.statuses.push(42, null, { id: [] });

    // act
    const response = await post(JSON.stringify(body));

    // assess
    expect(response).toMatchObject({ status: 200, body: { statuses: 2, enqueued: 2, unreadable: 4 } });
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toHaveLength(2);
    expect(unreadableMetrics()).toEqual([4]);
  });

  it('logs at most twenty unreadable items of a callback, and counts them all', async () => {
    const body = JSON.parse(callbackBody());
    body.entry[0].changes[0].value.statuses = Array.from({ length: 500 }, (_, index) => ({ id: `wamid.${index}`, status: 'failed', timestamp: 'TIMESTAMP' }));

    const response = await post(JSON.stringify(body));

    expect(response).toMatchObject({ status: 200, body: { statuses: 0, unreadable: 500 } });
    const [, logged] = warn.mock.calls[0] as [string, { items: number; unreadable: unknown[]; omitted: number }];
    expect(logged).toMatchObject({ items: 500, omitted: 480 });
    expect(logged.unreadable).toHaveLength(20);
    expect(logged.unreadable[0]).toEqual({ path: 'entry[0].changes[0].value.statuses[0]', messageId: 'wamid.0', reason: expect.stringContaining('timestamp'), items: 1 });
    expect(unreadableMetrics()).toEqual([500]);
  });

  it('reads a status beside junk nested a hundred thousand levels deep, without overflowing', async () => {
    const status = { ...statusObject({ status: 'delivered' }), junk: '__JUNK__' };
    const body = callbackBody(status).replace('"__JUNK__"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);

    expect(await post(body)).toMatchObject({ status: 200, body: { statuses: 1, unreadable: 0 } });
  });

  it('still refuses a body with no signature or a wrong one (401), and one over 1 MiB (413)', async () => {
    const body = callbackBody(statusObject());
    const large = JSON.stringify({ object: 'whatsapp_business_account', entry: [], padding: 'x'.repeat(1024 * 1024) });

    expect(await post(body, null)).toMatchObject({ status: 401, contentType: 'application/problem+json' });
    expect(await post(body, signatureOf(body, 'another secret'))).toMatchObject({ status: 401 });
    expect(await post('not JSON', signatureOf('not JSON either', INTEGRATION_APP_SECRET))).toMatchObject({ status: 401 });
    expect(await post(large)).toMatchObject({ status: 413, contentType: 'application/problem+json' });
  });
});

describe('the webhook, property: any signed body is answered 200', () => {
  it('answers any JSON value with 200', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const response = await post(JSON.stringify(value));

        expect(response.status).toBe(200);
        expect(response.body.unreadable).toBeGreaterThanOrEqual(value !== null && typeof value === 'object' && !Array.isArray(value) ? 0 : 1);
      }),
      { numRuns: 300 },
    );
  });

  it('answers any bytes with 200', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.string().map((text) => new TextEncoder().encode(text))), async (bytes) => {
        expect((await postBytes(Buffer.from(bytes))).status).toBe(200);
      }),
      { numRuns: 200 },
    );
  });

  it("answers Meta's payloads damaged anywhere with 200, with what the parser finds in them", async () => {
    const shapes = metaWebhookShapes().map(([, body]) => JSON.parse(body));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...shapes), fc.array(mutation(), { minLength: 1, maxLength: 6 }), async (shape, mutations) => {
        // prepare
        const body = mutated(shape, mutations);
        const { callback, unreadable } = readCallback(body);

        // act
        const response = await post(JSON.stringify(body));

        // assess
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          statuses: deliveryStatusesOf(callback).length,
          messages: inboundMessagesOf(callback).length,
          preferences: preferencesOf(callback).length,
          unreadable: unreadableItems(unreadable),
        });
      }),
      { numRuns: 400 },
    );
  });
});
