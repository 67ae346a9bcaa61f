import { LOCAL_WHATSAPP_APP_SECRET } from '../../infra/local/stack.js';
import { createProfile, http, postWebhook, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { startLocalStackProcess, type LocalStackProcess } from '../support/local-stack-process.js';
import { eventually } from '../support/poll.js';
import { callbackFrom, signatureOf, statusObject } from '../support/whatsapp-callbacks.js';

/*
 * The auto-block guard, black-box over HTTP, on a local stack of its own started with a small limit
 * (`AUTO_BLOCK_GUARD_LIMIT=3`): concurrent failure callbacks from one sender block exactly three
 * numbers and hold the rest; editors release and discard held blocks.
 */

const LIMIT = 3;
let guarded: LocalStackProcess;
let baseUrl: string;

beforeAll(async () => {
  guarded = await startLocalStackProcess({ AUTO_BLOCK_GUARD_LIMIT: String(LIMIT), LOCAL_NAME_PREFIX: 'guard-' });
  baseUrl = guarded.ready.url;
}, 90_000);

afterAll(async () => {
  await guarded?.stop();
});

const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
const readerToken = await tokenFor({ user: 'rita' });
const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => http(method, path, { ...options, baseUrl });

/** A new sender (business `phone_number_id`), so that each test has a window of its own. */
const newSender = () => String(100_000_000_000_000 + Math.floor(Math.random() * 1e14));

async function failOne(sender: string, phone: string) {
  const body = callbackFrom(sender, statusObject({ recipientId: phone.slice(1) }));
  const response = await postWebhook(body, signatureOf(body, LOCAL_WHATSAPP_APP_SECRET), baseUrl);
  expect(response).toMatchObject({ status: 200, body: { enqueued: 1 } });
}

async function check(phones: string[]) {
  const response = await call('POST', '/blocklist/check', { token: readerToken, body: { phones, category: 'utility' } });
  expect(response.status).toBe(200);
  return response.body as { blocked: { phone: string }[]; sendable: string[] };
}

async function heldOf(sender: string): Promise<{ phone: string; sender: string; reasonCode: string }[]> {
  const response = await call('GET', '/blocklist/held?limit=100', { token: readerToken });
  expect(response.status).toBe(200);
  return (response.body.items as { phone: string; sender: string; reasonCode: string }[]).filter((item) => item.sender === sender);
}

async function historyOf(phone: string): Promise<{ outcome: string; actor: { username?: string }; reason: string }[]> {
  return (await call('GET', `/numbers/${encodeURIComponent(phone)}/history`, { token: readerToken })).body.items;
}

/** Fails `count` new numbers of one profile at once, from one sender, and waits until each is settled. */
async function burst(sender: string, count: number): Promise<string[]> {
  const phones = Array.from({ length: count }, () => uniquePhone());
  await createProfile(phones, 'guard', baseUrl);
  await Promise.all(phones.map((phone) => failOne(sender, phone)));
  await eventually(
    async () => {
      const [checked, held] = await Promise.all([check(phones), heldOf(sender)]);
      return checked.blocked.length + held.length;
    },
    (settled) => settled === count,
    { timeoutMs: 30_000 },
  );
  return phones;
}

describe('the auto-block guard', () => {
  it(`blocks exactly ${LIMIT} numbers of one sender's concurrent failures and holds the rest, in each number's history`, async () => {
    const sender = newSender();

    const phones = await burst(sender, LIMIT + 5);

    const checked = await check(phones);
    const held = await heldOf(sender);
    expect(checked.blocked).toHaveLength(LIMIT);
    expect(held).toHaveLength(5);
    expect(new Set([...checked.blocked.map((entry) => entry.phone), ...held.map((entry) => entry.phone)])).toEqual(new Set(phones));
    expect(checked.sendable.sort()).toEqual(held.map((entry) => entry.phone).sort());
    expect(held[0]).toMatchObject({ sender, reasonCode: '131026', failedAt: expect.any(String), heldAt: expect.any(String) });
    expect((await historyOf(held[0]!.phone))[0]).toMatchObject({ outcome: 'held', action: 'wa_blocked' });
  });

  it('counts each sender on its own', async () => {
    const [first, second] = [newSender(), newSender()];

    await burst(first, LIMIT);
    const phones = await burst(second, LIMIT);

    expect((await check(phones)).blocked).toHaveLength(LIMIT);
    expect(await heldOf(first)).toEqual([]);
  });

  it('applies released blocks as automatic blocks, and leaves discarded ones sendable, with who and why in the history', async () => {
    const sender = newSender();
    await burst(sender, LIMIT + 3);
    const [released, discarded, kept] = (await heldOf(sender)).map((entry) => entry.phone);

    const release = await call('POST', '/blocklist/held/release', { token: editorToken, body: { phones: [released], reason: 'Confirmed with the provider' } });
    const discard = await call('POST', '/blocklist/held/discard', { token: editorToken, body: { phones: [discarded], reason: 'Outage at the provider' } });

    expect(release).toMatchObject({ status: 202, body: { released: [released] } });
    expect(discard).toMatchObject({ status: 200, body: { discarded: [discarded] } });
    await eventually(() => heldOf(sender), (held) => held.length === 1);
    expect((await heldOf(sender)).map((entry) => entry.phone)).toEqual([kept]);
    const checked = await check([released!, discarded!, kept!]);
    expect(checked.blocked).toEqual([expect.objectContaining({ phone: released, source: 'automatic', reasonCode: '131026' })]);
    expect(checked.sendable.sort()).toEqual([discarded, kept].sort());
    expect((await historyOf(released!))[0]).toMatchObject({ outcome: 'applied', actor: { username: 'erin' }, reason: 'Confirmed with the provider' });
    expect((await historyOf(discarded!))[0]).toMatchObject({ outcome: 'discarded', actor: { username: 'erin' }, reason: 'Outage at the provider' });
  });

  it('answers a release of numbers with nothing held with an empty list, and enqueues nothing', async () => {
    const response = await call('POST', '/blocklist/held/release', { token: editorToken, body: { phones: [uniquePhone()], reason: 'Nothing there' } });

    expect(response).toMatchObject({ status: 202, body: { released: [] } });
  });

  it('lets only editors release or discard, and refuses a decision without a reason', async () => {
    const phones = [uniquePhone()];

    const byReader = await call('POST', '/blocklist/held/release', { token: readerToken, body: { phones, reason: 'Because' } });
    const withoutReason = await call('POST', '/blocklist/held/discard', { token: editorToken, body: { phones, reason: '   ' } });
    const tooMany = await call('POST', '/blocklist/held/discard', { token: editorToken, body: { phones: Array.from({ length: 101 }, () => uniquePhone()), reason: 'Many' } });

    expect(byReader).toMatchObject({ status: 403, contentType: 'application/problem+json' });
    expect(withoutReason).toMatchObject({ status: 400, contentType: 'application/problem+json' });
    expect(tooMany).toMatchObject({ status: 400, contentType: 'application/problem+json' });
  });

  it('announces each held block with an ERROR log line', async () => {
    const sender = newSender();

    await burst(sender, LIMIT + 1);

    // The line is written once the block is held; the child's output may reach us a moment later.
    const heldLines = () => guarded.output().split('\n').filter((line) => line.includes('held by the auto-block guard') && line.includes(sender));
    const announced = await eventually(async () => heldLines(), (lines) => lines.length > 0);
    expect(announced).toHaveLength(1);
    expect(JSON.parse(announced[0]!)).toMatchObject({ level: 'ERROR', sender, guardLimit: LIMIT });
  });
});
