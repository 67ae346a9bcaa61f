import type { AuditActor } from '../../../web/src/api/types.js';
import { actorName, entryAction, entryReason, outcomeName, settledMessage, statusOf } from '../../../web/src/model/consent-words.js';

/** The console's words for states, actors and outcomes: a status is never told by colour alone. */

const erin: AuditActor = { type: 'user', sub: 'u-erin', username: 'erin' };
const whatsapp: AuditActor = { type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513' };

describe('statusOf', () => {
  it('says an unblocked number can receive messages', () => {
    expect(statusOf({ blocked: false, source: 'manual', reason: 'back again', reasonCode: null })).toEqual({
      label: 'Can receive WhatsApp messages',
      detail: undefined,
      tone: 'ok',
    });
  });

  it('says that a number whose recipient stopped marketing can receive all but marketing messages', () => {
    expect(statusOf({ blocked: false, source: null, reason: null, reasonCode: null, marketingOptOut: { since: '2026-01-01T00:00:00.000Z', source: 'user_preferences' } })).toEqual({
      label: 'Can receive WhatsApp messages, except marketing',
      detail: undefined,
      tone: 'warning',
    });
  });

  it('says who blocked a number: an operator, the provider (with its code and text) or the recipient', () => {
    expect(statusOf({ blocked: true, source: 'manual', reason: 'asked', reasonCode: null }).label).toBe('Blocked by an operator');
    expect(statusOf({ blocked: true, source: 'automatic', reason: 'Message undeliverable', reasonCode: '131026' })).toEqual({
      label: 'Undeliverable: blocked automatically',
      detail: 'WhatsApp error 131026: Message undeliverable',
      tone: 'warning',
    });
    expect(statusOf({ blocked: true, source: 'recipient', reason: 'STOP', reasonCode: null }).label).toBe('Opted out by the recipient');
  });
});

describe('actorName', () => {
  it('names a user by name and the provider by its sender', () => {
    expect(actorName({ type: 'user', sub: 's-1', username: 'erin' })).toBe('erin');
    expect(actorName({ type: 'provider', provider: 'whatsapp', phoneNumberId: '1234' })).toBe('WhatsApp (sender 1234)');
  });

  it("names the provider's sender by its display number, readable, in whatever form Meta wrote it", () => {
    for (const displayPhoneNumber of ['5511962185237', '+55 11 96218-5237', '+5511962185237']) {
      expect(actorName({ type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513', displayPhoneNumber })).toBe('WhatsApp (sender +55 11 96218 5237)');
    }
    expect(actorName({ type: 'provider', provider: 'whatsapp', phoneNumberId: '1234', displayPhoneNumber: 'Test number' })).toBe('WhatsApp (sender Test number)');
  });

  it("reads the state's updatedBy, where the provider is written whatsapp:<sender id>", () => {
    expect(actorName('whatsapp:967249473135513')).toBe('WhatsApp (sender 967249473135513)');
    expect(actorName('erin')).toBe('erin');
    expect(actorName(null)).toBe('nobody yet');
  });

  it('says that who changed a number was erased with its personal data (a suppression record names nobody)', () => {
    expect(actorName('')).toBe('not kept: personal data erased');
  });
});

describe('history columns', () => {
  it("shows the operator's reason, or the provider's code with its text", () => {
    expect(entryReason({ reason: 'asked by phone', reasonCode: null, actor: erin })).toBe('asked by phone');
    expect(entryReason({ reason: 'Message undeliverable', reasonCode: '131026', actor: whatsapp })).toBe('WhatsApp error 131026: Message undeliverable');
  });

  it('tells a release or discard of a held automatic block by the words of the editor who made it, and the code it was for', () => {
    expect(entryReason({ reason: 'Checked: the number is gone', reasonCode: '131026', actor: erin })).toBe('Checked: the number is gone (WhatsApp error 131026)');
    expect(entryAction({ action: 'wa_blocked', source: 'automatic', actor: erin, outcome: 'applied' })).toBe('Held automatic block released');
    expect(entryAction({ action: 'wa_blocked', source: 'automatic', actor: erin, outcome: 'discarded' })).toBe('Held automatic block discarded');
    expect(entryAction({ action: 'wa_blocked', source: 'automatic', actor: whatsapp, outcome: 'held' })).toBe('Automatic block: undeliverable');
    expect(entryAction({ action: 'block', source: 'manual', actor: erin, outcome: 'applied' })).toBe('Block');
    expect(outcomeName('discarded')).toBe('Discarded: not blocked');
  });

  it('names every outcome in words, and passes an unknown one through', () => {
    expect(outcomeName('applied')).toBe('Applied');
    expect(outcomeName('superseded')).toBe('Superseded by a newer change');
    expect(outcomeName('held')).toBe('Held by the automatic-block guard');
    expect(outcomeName('something-new')).toBe('something-new');
  });
});

describe('settledMessage', () => {
  it.each([
    ['applied', 'block', '+420 777 123 456 is now blocked.'],
    ['applied', 'unblock', '+420 777 123 456 is unblocked and can receive WhatsApp messages.'],
    ['unchanged', 'block', '+420 777 123 456 was already blocked; nothing changed. Your request is recorded in the history.'],
  ] as const)('%s %s: %s', (status, action, message) => {
    expect(settledMessage(status, action, '+420777123456')).toBe(message);
  });

  it('tells superseded and failed requests apart, saying that nothing changed', () => {
    expect(settledMessage('superseded', 'unblock', '+420777123456')).toMatch(/^Your request to unblock \+420 777 123 456 was superseded: a newer change/);
    expect(settledMessage('failed', 'block', '+420777123456')).toMatch(/^Your request to block \+420 777 123 456 failed: .*nothing changed/);
  });
});
