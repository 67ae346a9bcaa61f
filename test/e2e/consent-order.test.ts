import fc from 'fast-check';
import { http, postWebhook, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';
import { fold, type Signal } from '../support/consent/reference-fold.js';
import { arrivalOrders, webhookSignalSets } from '../support/consent/signal-events.js';
import { callbackBody, inboundMessageBody, preferencesBody, statusObject } from '../support/whatsapp-callbacks.js';

/*
 * Order independence, end to end: signed callbacks (failures, STOP and START, marketing stops and
 * resumes) posted to the running local stack in shuffled orders, some twice, leave each number as the
 * reference fold says. The cases run side by side, one number each.
 */
const readerToken = await tokenFor({ user: 'rita' });

/** The callback Meta would send for a signal about the WhatsApp id `waId`; `key` names its message. */
function callbackOf(signal: Signal, waId: string, key: string): string {
  const timestamp = Math.floor(Date.parse(signal.at) / 1000);
  switch (signal.kind) {
    case 'failure':
      return callbackBody(statusObject({ recipientId: waId, messageId: `wamid.order-${key}`, timestamp }));
    case 'keyword':
      return inboundMessageBody({ waId, text: signal.word === 'stop' ? 'STOP' : 'Start', messageId: `wamid.order-${key}`, timestamp });
    case 'marketing':
      return preferencesBody({ waId, value: signal.value, timestamp });
    default:
      throw new Error(`no callback carries a ${signal.kind}`);
  }
}

const CASES = 16;

describe('order independence, end to end', () => {
  it(`leaves ${CASES} numbers as the reference fold says after their signed callbacks arrive shuffled, some twice`, async () => {
    // prepare
    const seed = Date.now();
    const base = (Math.floor(Date.now() / 1000) - 600) * 1000;
    const cases = fc.sample(
      webhookSignalSets(base).chain((signals) => arrivalOrders(signals.length, 2).map((arrival) => ({ signals, arrival }))),
      { numRuns: CASES, seed },
    );

    // act
    const results = await Promise.all(
      cases.map(async ({ signals, arrival }, caseIndex) => {
        const phone = uniquePhone();
        const bodies = signals.map((signal, index) => callbackOf(signal, phone.slice(1), `${seed}-${caseIndex}-${index}`));
        for (const index of arrival) expect((await postWebhook(bodies[index]!)).status).toBe(200);
        // Every signal is one history entry once applied, however often it came.
        await eventually(
          async () => (await http('GET', `/numbers/${encodeURIComponent(phone)}/history?limit=50`, { token: readerToken })).body.items.length,
          (entries) => entries === signals.length,
          { timeoutMs: 30_000 },
        );
        const view = (await http('GET', `/numbers/${encodeURIComponent(phone)}`, { token: readerToken })).body;
        return { signals, arrival, actual: { blocked: view.blocked, source: view.blocked ? view.source : undefined, marketingOptOut: view.marketingOptOut !== null } };
      }),
    );

    // assess
    for (const { signals, arrival, actual } of results) {
      expect({ seed, signals, arrival, state: actual }).toEqual({ seed, signals, arrival, state: fold(signals) });
    }
  }, 60_000);
});
