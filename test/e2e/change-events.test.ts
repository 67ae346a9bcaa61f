import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { createProfile, http, stack, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';

/*
 * Change events, black-box on the local stack: every applied change of a number appears on the local
 * events queue, once, in order, and `npm run events` prints them.
 */

const run = promisify(execFile);
const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });

const printed: Record<string, any>[] = [];
/** What `npm run events -- --once` prints now (it takes the events off the queue as it prints them). */
async function printedEvents(): Promise<Record<string, any>[]> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/events.ts', '--url', stack.url, '--once'], { cwd: PROJECT_ROOT, timeout: 30_000 });
  printed.push(...stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line)));
  return printed;
}

async function change(profileId: string, phone: string, action: 'block' | 'unblock') {
  const response = await http('POST', `/profiles/${profileId}/whatsapp/${encodeURIComponent(phone)}/${action}`, { token: editorToken, body: { reason: `${action} for the events test` } });
  expect(response.status).toBe(202);
  return response.body.requestId as string;
}

describe('change events on the local stack', () => {
  it('prints each applied change of a number once, in order, as the EventBridge event consumers get in AWS', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);

    const blocked = await change(profileId, phone, 'block');
    await eventually(() => http('GET', `/requests/${blocked}`, { token: editorToken }), (response) => response.body.status !== 'pending');
    const unchanged = await change(profileId, phone, 'block');
    await eventually(() => http('GET', `/requests/${unchanged}`, { token: editorToken }), (response) => response.body.status !== 'pending');
    const unblocked = await change(profileId, phone, 'unblock');

    const events = await eventually(
      async () => (await printedEvents()).filter((event) => event.detail.phone === phone),
      (ours) => ours.some((event) => event.detail.requestId === unblocked),
      { timeoutMs: 30_000 },
    );
    expect(events.map((event) => [event.detail.requestId, event.detail.blocked])).toEqual([
      [blocked, true],
      [unblocked, false],
    ]);
    expect(events[0]).toEqual({
      source: 'whatsapp-consent',
      'detail-type': 'WhatsApp Consent Changed',
      time: expect.any(String),
      detail: {
        eventId: blocked,
        phone,
        blocked: true,
        source: 'manual',
        reason: 'block for the events test',
        reasonCode: null,
        marketingOptOut: null,
        profileId,
        actor: { type: 'user', sub: expect.any(String), username: 'erin' },
        occurredAt: expect.any(String),
        requestId: blocked,
        stateVersion: expect.any(Number),
      },
    });
  });
});
