import { readFileSync } from 'node:fs';
import { LOCAL_WHATSAPP_APP_SECRET, LOCAL_WHATSAPP_VERIFY_TOKEN } from '../../infra/local/stack.js';
import { conformanceTo } from '../../shared/http/contract/conformance.js';
import { OPENAPI_FILE } from '../../shared/http/contract/openapi-file.js';
import { uniquePhone } from '../support/consent-api.js';
import { createProfile, http, postWebhook, stack, tokenFor, type HttpResponse } from '../support/http-client.js';
import { startLocalStackProcess, type LocalStackProcess } from '../support/local-stack-process.js';
import { eventually } from '../support/poll.js';
import { callbackBody, callbackFrom, preferencesBody, signatureOf, statusObject } from '../support/whatsapp-callbacks.js';

/*
 * The checked-in OpenAPI document against the running local stack: real calls of every route, and of
 * the errors a client meets, each answer checked with a JSON Schema validator (ajv, draft 2020-12)
 * against what the document says that route answers with that status and media type.
 */

const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
const contract = conformanceTo(document);

const adminToken = await tokenFor({ user: 'adam', groups: ['profile-admins'] });
const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
const readerToken = await tokenFor({ user: 'rita' });
const campaignToken = await tokenFor({ user: 'campaigns', scopes: ['whatsapp-blocklist/check'] });
const privacyToken = await tokenFor({ user: 'petra', groups: ['privacy-officers'] });

interface Call {
  /** The path's parameters, percent-encoded into the route's template. */
  params?: Record<string, string>;
  /** A query string, `?` included. */
  query?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  baseUrl?: string;
}

/**
 * Calls the route (`GET /numbers/{phone}`) and expects the status, and an answer that the document
 * gives for the route and that status: its media type, and a body its schema accepts.
 */
async function conforming(route: string, status: number, { params = {}, query = '', ...options }: Call = {}): Promise<HttpResponse> {
  const [method = '', template = ''] = route.split(' ');
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const response = await http(method, `${path}${query}`, options);
  expect({ route, status: response.status, body: response.body }).toEqual({ route, status, body: response.body });
  expect(contract.answer(method, template, response)).toEqual([]);
  return response;
}

const settled = (requestId: string) =>
  eventually(
    () => conforming('GET /requests/{requestId}', 200, { params: { requestId }, token: readerToken }),
    (response) => response.body.status !== 'pending',
  );

describe('answers that the document describes', () => {
  it('GET /health', async () => {
    await conforming('GET /health', 200);
  });

  it('a profile, a block and an unblock, the requests, the views and both histories, page by page', async () => {
    const [blocked, optedOut, free] = [uniquePhone(), uniquePhone(), uniquePhone()];
    const put = await conforming('PUT /profiles/{profileId}', 200, {
      params: { profileId: `openapi-${blocked.slice(1)}` },
      token: adminToken,
      body: { whatsappNumbers: [blocked, optedOut, free] },
    });
    const profileId: string = put.body.profileId;
    expect((await postWebhook(preferencesBody({ waId: optedOut.slice(1) }))).status).toBe(200);

    const accepted = await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 202, {
      params: { profileId, phone: blocked },
      token: editorToken,
      headers: { 'idempotency-key': `openapi-${blocked}` },
      body: { reason: 'Asked us to stop, by phone' },
    });
    await conforming('GET /profiles/{profileId}/whatsapp', 200, { params: { profileId }, token: readerToken });
    expect((await settled(accepted.body.requestId)).body).toMatchObject({ status: 'applied', appliedAt: expect.any(String) });
    const unblocked = await conforming('POST /profiles/{profileId}/whatsapp/{phone}/unblock', 202, {
      params: { profileId, phone: blocked.slice(1) },
      token: editorToken,
      body: { reason: 'Asked us to start again' },
    });
    await settled(unblocked.body.requestId);
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 202, {
      params: { profileId, phone: blocked },
      token: editorToken,
      body: { reason: 'Asked us to stop again' },
    }).then((again) => settled(again.body.requestId));

    const view = await eventually(
      () => conforming('GET /profiles/{profileId}/whatsapp', 200, { params: { profileId }, token: readerToken }),
      (response) => response.body.numbers[1].marketingOptOut !== null,
    );
    expect(view.body.numbers.map((number: { blocked: boolean }) => number.blocked)).toEqual([true, false, false]);
    await conforming('GET /numbers/{phone}', 200, { params: { phone: blocked }, token: readerToken });
    await conforming('GET /numbers/{phone}', 200, { params: { phone: optedOut.slice(1) }, token: readerToken });
    await conforming('GET /numbers/{phone}', 200, { params: { phone: uniquePhone() }, token: readerToken });

    const first = await conforming('GET /numbers/{phone}/history', 200, { params: { phone: blocked }, query: '?limit=2', token: readerToken });
    expect(first.body).toMatchObject({ items: [{ action: 'block' }, { action: 'unblock' }], nextCursor: expect.any(String) });
    const last = await conforming('GET /numbers/{phone}/history', 200, {
      params: { phone: blocked },
      query: `?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      token: readerToken,
    });
    expect(last.body).toMatchObject({ items: [{ action: 'block' }], nextCursor: null });
    await conforming('GET /numbers/{phone}/history', 200, { params: { phone: optedOut }, token: readerToken });
    const profileHistory = await conforming('GET /profiles/{profileId}/whatsapp/history', 200, { params: { profileId }, token: readerToken });
    expect(profileHistory.body.items).toHaveLength(3);

    // Everything stored about the number, and about one never seen.
    const exported = await conforming('GET /numbers/{phone}/personal-data', 200, { params: { phone: blocked }, token: privacyToken });
    expect(exported.body).toMatchObject({ profiles: [profileId], history: [{}, {}, {}] });
    await conforming('GET /numbers/{phone}/personal-data', 200, { params: { phone: uniquePhone() }, token: privacyToken });
    const erased = await conforming('POST /numbers/{phone}/erase', 200, { params: { phone: optedOut }, token: privacyToken, body: { reason: 'Asked to be forgotten' } });
    expect(erased.body).toMatchObject({ suppressionKept: true, deleted: { historyEntries: 1, profiles: 1 } });

    // A deleted profile keeps its history.
    await conforming('DELETE /profiles/{profileId}', 204, { params: { profileId }, token: adminToken });
    await conforming('GET /profiles/{profileId}/whatsapp/history', 200, { params: { profileId }, token: readerToken });
  });

  it('POST /blocklist/check, with every kind of answer', async () => {
    const [blocked, optedOut, free] = [uniquePhone(), uniquePhone(), uniquePhone()];
    await createProfile([blocked]);
    expect((await postWebhook(callbackBody(statusObject({ recipientId: blocked.slice(1) })))).status).toBe(200);
    expect((await postWebhook(preferencesBody({ waId: optedOut.slice(1) }))).status).toBe(200);

    const checked = await eventually(
      () => conforming('POST /blocklist/check', 200, { token: campaignToken, body: { phones: [blocked, optedOut, free, 'not a number', 42, null] } }),
      (response) => response.body.blocked.length === 1 && response.body.optedOut.length === 1,
    );

    expect(checked.body).toMatchObject({ blocked: [{ phone: blocked, source: 'automatic', reasonCode: '131026' }], sendable: [free], invalid: ['not a number', 42, null] });
    await conforming('POST /blocklist/check', 200, { token: readerToken, body: { phones: [optedOut], category: 'utility' } });
    // The export of a number the provider blocked shows its state as stored, the sender's display number too.
    const exported = await conforming('GET /numbers/{phone}/personal-data', 200, { params: { phone: blocked }, token: privacyToken });
    expect(exported.body.state).toMatchObject({ updatedBy: 'whatsapp:967249473135513', senderDisplayPhoneNumber: '5511962185237' });
  });

  it('GET /blocklist, as JSON and as CSV, page after page', async () => {
    const blocked = [uniquePhone(), uniquePhone()];
    await createProfile(blocked);
    for (const phone of blocked) expect((await postWebhook(callbackBody(statusObject({ recipientId: phone.slice(1) })))).status).toBe(200);
    const first = await eventually(
      () => conforming('GET /blocklist', 200, { query: '?source=automatic&limit=1', token: readerToken }),
      (response) => response.body.items.length === 1 && response.body.nextCursor !== null,
    );

    await conforming('GET /blocklist', 200, { query: `?source=automatic&limit=1&cursor=${first.body.nextCursor}`, token: readerToken });
    const csv = await conforming('GET /blocklist', 200, { query: '?limit=1', token: readerToken, headers: { accept: 'text/csv' } });
    expect(String(csv.body).split('\r\n')[0]).toBe('phone,source,reason,reasonCode,updatedAt,updatedBy');
    await conforming('GET /blocklist', 400, { query: '?source=provider', token: readerToken });
  });

  it("the webhook's handshake and callbacks, and the unresolved signals they leave", async () => {
    const challenge = await conforming('GET /webhooks/whatsapp', 200, {
      query: `?hub.mode=subscribe&hub.verify_token=${LOCAL_WHATSAPP_VERIFY_TOKEN}&hub.challenge=1158201444`,
    });
    expect(challenge.body).toBe('1158201444');
    const userId = `US.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const body = callbackBody(statusObject({ userId, userIdOnly: true }));

    const received = await conforming('POST /webhooks/whatsapp', 200, { body, headers: { 'x-hub-signature-256': signatureOf(body, LOCAL_WHATSAPP_APP_SECRET) } });

    expect(received.body).toEqual({ statuses: 1, preferences: 0, messages: 0, enqueued: 0, unresolved: 1, pairings: 0, unreadable: 0 });
    const notJson = '{"object":"whatsapp_business_account","entry":[';
    const unreadable = await conforming('POST /webhooks/whatsapp', 200, { body: notJson, headers: { 'x-hub-signature-256': signatureOf(notJson, LOCAL_WHATSAPP_APP_SECRET) } });
    expect(unreadable.body).toMatchObject({ statuses: 0, unreadable: 1 });
    const listed = await conforming('GET /blocklist/unresolved', 200, { query: '?limit=100', token: readerToken });
    expect(listed.body.items).toContainEqual(expect.objectContaining({ userId, action: 'wa_blocked', reasonCode: '131026', profileId: null }));
  });

  it('the held automatic blocks, with none held', async () => {
    await conforming('GET /blocklist/held', 200, { token: readerToken });
    const phones = [uniquePhone()];
    expect((await conforming('POST /blocklist/held/release', 202, { token: editorToken, body: { phones, reason: 'Checked' } })).body).toEqual({ released: [] });
    expect((await conforming('POST /blocklist/held/discard', 200, { token: editorToken, body: { phones, reason: 'Checked' } })).body).toEqual({ discarded: [] });
  });

  it('GET /openapi.json: the checked-in document, then 304 for the version the client holds', async () => {
    const served = await conforming('GET /openapi.json', 200);

    expect(served.body).toEqual(document);
    await conforming('GET /openapi.json', 304, { headers: { 'if-none-match': String((await fetch(`${stack.url}/openapi.json`)).headers.get('etag')) } });
  });
});

describe('the held automatic blocks of a guarded stack', () => {
  let guarded: LocalStackProcess;
  beforeAll(async () => {
    guarded = await startLocalStackProcess({ AUTO_BLOCK_GUARD_LIMIT: '1', LOCAL_NAME_PREFIX: 'openapi-guard-' });
  }, 90_000);
  afterAll(async () => {
    await guarded?.stop();
  });

  it('are listed, released and discarded as the document says, and their history too', async () => {
    const baseUrl = guarded.ready.url;
    const sender = String(100_000_000_000_000 + Math.floor(Math.random() * 1e14));
    const phones = [uniquePhone(), uniquePhone(), uniquePhone()];
    await createProfile(phones, 'openapi', baseUrl);
    for (const phone of phones) {
      const body = callbackFrom(sender, statusObject({ recipientId: phone.slice(1) }));
      expect((await postWebhook(body, signatureOf(body, LOCAL_WHATSAPP_APP_SECRET), baseUrl)).status).toBe(200);
    }
    const held = await eventually(
      () => conforming('GET /blocklist/held', 200, { query: '?limit=100', token: readerToken, baseUrl }),
      (response) => response.body.items.filter((item: { sender: string }) => item.sender === sender).length === 2,
    );
    const [released, discarded] = held.body.items.filter((item: { sender: string }) => item.sender === sender).map((item: { phone: string }) => item.phone);

    await conforming('POST /blocklist/held/release', 202, { token: editorToken, body: { phones: [released], reason: 'Checked: not on WhatsApp' }, baseUrl });
    await conforming('POST /blocklist/held/discard', 200, { token: editorToken, body: { phones: [discarded], reason: 'Provider outage' }, baseUrl });

    const releasedHistory = await eventually(
      () => conforming('GET /numbers/{phone}/history', 200, { params: { phone: released }, token: readerToken, baseUrl }),
      (response) => response.body.items.some((item: { outcome: string }) => item.outcome === 'applied'),
    );
    const discardedHistory = await conforming('GET /numbers/{phone}/history', 200, { params: { phone: discarded }, token: readerToken, baseUrl });
    // A release is dated with the failure's time, as its held entry is: their order is the event ids'.
    const outcomes = (response: HttpResponse) => response.body.items.map((item: { outcome: string }) => item.outcome).sort();
    expect(outcomes(releasedHistory)).toEqual(['applied', 'held']);
    expect(outcomes(discardedHistory)).toEqual(['discarded', 'held']);
  });
});

describe('errors that the document describes', () => {
  it('400 for a bad path, query, header or body', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const block = { params: { profileId, phone }, token: editorToken };

    await conforming('GET /numbers/{phone}', 400, { params: { phone: '12' }, token: readerToken });
    await conforming('GET /profiles/{profileId}/whatsapp', 400, { params: { profileId: 'a b' }, token: readerToken });
    await conforming('GET /requests/{requestId}', 400, { params: { requestId: 'not-a-request' }, token: readerToken });
    await conforming('GET /blocklist/held', 400, { query: '?limit=0', token: readerToken });
    await conforming('GET /blocklist/unresolved', 400, { query: '?order=asc', token: readerToken });
    await conforming('GET /numbers/{phone}/history', 400, { params: { phone }, query: '?cursor=nonsense', token: readerToken });
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 400, { ...block, body: { reason: 'x'.repeat(501) } });
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 400, { ...block, body: { reason: 'x', dryRun: true } });
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 400, { ...block, body: '{"reason":' });
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 400, { ...block, body: { reason: 'x' }, headers: { 'idempotency-key': 'with spaces' } });
    await conforming('PUT /profiles/{profileId}', 400, { params: { profileId }, token: adminToken, body: { whatsappNumbers: [] } });
    await conforming('POST /blocklist/check', 400, { token: readerToken, body: { phones: [] } });
    await conforming('POST /numbers/{phone}/erase', 400, { params: { phone }, token: privacyToken, body: { reason: ' ' } });
    await conforming('POST /blocklist/held/release', 400, { token: editorToken, body: { phones: ['+420777123456'] } });
    await conforming('GET /webhooks/whatsapp', 400, { query: '?hub.mode=subscribe' });
  });

  it('401 without a token, with a token from nowhere, and for an unsigned callback', async () => {
    await conforming('GET /profiles/{profileId}/whatsapp', 401, { params: { profileId: 'any' } });
    await conforming('POST /blocklist/check', 401, { token: 'not.a.token', body: { phones: ['+420777123456'] } });
    await conforming('GET /blocklist/held', 401);
    const body = callbackBody(statusObject());
    await conforming('POST /webhooks/whatsapp', 401, { body });
    await conforming('POST /webhooks/whatsapp', 401, { body, headers: { 'x-hub-signature-256': signatureOf(body, 'another secret') } });
  });

  it('403 for a caller without the permission, and for a wrong verify token', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);

    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 403, { params: { profileId, phone }, token: readerToken, body: { reason: 'x' } });
    await conforming('PUT /profiles/{profileId}', 403, { params: { profileId }, token: editorToken, body: { whatsappNumbers: [phone] } });
    await conforming('DELETE /profiles/{profileId}', 403, { params: { profileId }, token: editorToken });
    await conforming('GET /numbers/{phone}/personal-data', 403, { params: { phone }, token: editorToken });
    await conforming('POST /numbers/{phone}/erase', 403, { params: { phone }, token: readerToken, body: { reason: 'x' } });
    await conforming('POST /blocklist/held/discard', 403, { token: readerToken, body: { phones: [phone], reason: 'x' } });
    await conforming('GET /webhooks/whatsapp', 403, { query: '?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1' });
  });

  it('404 for an unknown profile, a number the profile does not hold, and an unknown request', async () => {
    const profileId = await createProfile([uniquePhone()]);

    await conforming('GET /profiles/{profileId}/whatsapp', 404, { params: { profileId: 'nobody-here' }, token: readerToken });
    await conforming('GET /profiles/{profileId}/whatsapp/history', 404, { params: { profileId: 'nobody-here' }, token: readerToken });
    await conforming('DELETE /profiles/{profileId}', 404, { params: { profileId: 'nobody-here' }, token: adminToken });
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 404, { params: { profileId, phone: uniquePhone() }, token: editorToken, body: { reason: 'x' } });
    await conforming('GET /requests/{requestId}', 404, { params: { requestId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, token: readerToken });
  });

  it('413, 415 and 422', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const unblock = { params: { profileId, phone }, token: editorToken, headers: { 'idempotency-key': `openapi-422-${phone}` } };

    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/block', 413, { params: { profileId, phone }, token: editorToken, body: { reason: 'x'.repeat(70 * 1024) } });
    await conforming('POST /blocklist/check', 415, { token: readerToken, body: '{"phones":["+420777123456"]}', headers: { 'content-type': 'text/plain' } });
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/unblock', 202, { ...unblock, body: { reason: 'retry me' } });
    await conforming('POST /profiles/{profileId}/whatsapp/{phone}/unblock', 422, { ...unblock, body: { reason: 'something else' } });
  });
});
