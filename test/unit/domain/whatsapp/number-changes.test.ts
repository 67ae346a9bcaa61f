import { inboundMessagesOf, numberChangesOf, readCallback, readCallbackBody } from '../../../../shared/domain/whatsapp/callback.js';
import { metaWebhookShapes } from '../../support/webhook-function.js';

/** Meta's own payloads (test/fixtures/meta-webhook-shapes), by file name. */
const shapes = new Map(metaWebhookShapes());

function changesIn(name: string) {
  return numberChangesOf(readCallbackBody(Buffer.from(shapes.get(name)!, 'utf8')).callback);
}

const META_BUSINESS = { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881' };
const META_MESSAGE = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=';

/** A callback of one system message from Meta's example business number. */
function systemMessage(message: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' }, messages: [{ id: META_MESSAGE, timestamp: '1739321024', type: 'system', ...message }] } }] }],
  };
}

describe('numberChangesOf', () => {
  it("reads Meta's user_changed_number: the old WhatsApp id in from, the new one in system.wa_id", () => {
    expect(changesIn('system-user-changed-number-meta.json')).toEqual([
      {
        messageId: META_MESSAGE,
        kind: 'number',
        previousRecipientId: '16505551234',
        recipientId: '12195555358',
        previousUserId: undefined,
        userId: undefined,
        occurredAt: '2025-02-12T00:43:44.000Z',
        business: META_BUSINESS,
      },
    ]);
  });

  it('reads the same message with its timestamp as a number', () => {
    expect(changesIn('system-user-changed-number-numeric-timestamp.json')).toEqual(changesIn('system-user-changed-number-meta.json'));
  });

  it('reads the user ids that a change of number reports since August 2026', () => {
    expect(changesIn('system-user-changed-number-2026.json')).toMatchObject([
      { kind: 'number', previousRecipientId: '16505551234', recipientId: '12195555358', previousUserId: 'US.10101010101010101010', userId: 'US.13491208655302741918' },
    ]);
  });

  it("reads pywa's user_changed_number", () => {
    expect(changesIn('system-user-changed-number.json')).toMatchObject([
      { messageId: 'wamid.xyzxyz==', kind: 'number', previousRecipientId: '972987654321', recipientId: '972912345678', occurredAt: '2025-07-30T04:55:15.000Z' },
    ]);
  });

  it('reads the older customer_changed_number: the old WhatsApp id in system.customer, the new one in system.wa_id', () => {
    expect(changesIn('system-customer-changed-number-legacy.json')).toMatchObject([{ kind: 'number', previousRecipientId: '972912345678', recipientId: '972987654321' }]);
  });

  it('reads the new WhatsApp id from system.new_wa_id, as webhooks before v12 wrote it', () => {
    const callback = systemMessage({ from: '16505551234', system: { body: 'NAME changed from 16505551234 to 12195555358', new_wa_id: '12195555358', type: 'user_changed_number' } });

    expect(numberChangesOf(readCallback(callback).callback)).toMatchObject([{ previousRecipientId: '16505551234', recipientId: '12195555358' }]);
  });

  it('reads a change of user id of August 2026: system.previous_user_id and system.user_id, no phone number', () => {
    expect(changesIn('system-user-changed-user-id-2026.json')).toEqual([
      {
        messageId: META_MESSAGE,
        kind: 'user-id',
        previousRecipientId: undefined,
        recipientId: undefined,
        previousUserId: 'US.10101010101010101010',
        userId: 'US.13491208655302741918',
        occurredAt: '2025-02-12T00:43:44.000Z',
        business: META_BUSINESS,
      },
    ]);
  });

  it('reads the old user id from the words of a change of user id sent before previous_user_id existed', () => {
    expect(changesIn('system-user-changed-user-id.json')).toMatchObject([{ kind: 'user-id', previousUserId: 'US.10101010101010101010', userId: 'US.13491208655302741918' }]);
  });

  it('names the unchanged WhatsApp id of a change of user id when the message has one', () => {
    const callback = systemMessage({ from: '16505551234', system: { type: 'user_changed_user_id', previous_user_id: 'US.1', user_id: 'US.2' } });

    expect(numberChangesOf(readCallback(callback).callback)).toMatchObject([{ kind: 'user-id', recipientId: '16505551234', previousUserId: 'US.1', userId: 'US.2' }]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['ids as numbers', { from: 16505551234, timestamp: 1739321024, system: { type: 'user_changed_number', wa_id: 12195555358 } }],
    ['empty fields left beside the used ones', { from: '16505551234', system: { type: 'user_changed_number', customer: '', new_wa_id: '', wa_id: '12195555358', identity: '' } }],
    ['null fields', { from: '16505551234', system: { type: 'user_changed_number', customer: null, wa_id: '12195555358', body: null } }],
    ['a malformed user id beside well-formed numbers', { from: '16505551234', system: { type: 'user_changed_number', wa_id: '12195555358', user_id: 42 } }],
  ])('reads a change of number with %s', (_label, message) => {
    const { callback, unreadable } = readCallback(systemMessage(message));

    expect(numberChangesOf(callback)).toMatchObject([{ previousRecipientId: '16505551234', recipientId: '12195555358', userId: undefined }]);
    expect(unreadable).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no old WhatsApp id', { system: { type: 'user_changed_number', wa_id: '12195555358' } }, /before the change/],
    ['no new WhatsApp id', { from: '16505551234', system: { type: 'user_changed_number', body: 'User A changed from 16505551234 to 12195555358' } }, /after the change/],
    ['a placeholder for the new id', { from: '16505551234', system: { type: 'user_changed_number', new_wa_id: 'NEW_PHONE_NUMBER' } }, /new_wa_id/],
    ['the same id before and after', { from: '16505551234', system: { type: 'user_changed_number', wa_id: '16505551234' } }, /same WhatsApp id/],
    ['a system that is no object', { from: '16505551234', system: ['user_changed_number'] }, /^system: /],
    ['a system without a type', { from: '16505551234', system: { wa_id: '12195555358' } }, /^system: type/],
    ['no new user id', { system: { type: 'user_changed_user_id', previous_user_id: 'US.1' } }, /user_id/],
    ['no old user id, in fields or words', { system: { type: 'user_changed_user_id', user_id: 'US.2', body: 'User changed their user ID' } }, /user id before the change/],
    ['an old user id in words that end with another id', { system: { type: 'user_changed_user_id', user_id: 'US.2', body: 'User A changed from US.1 to US.3' } }, /user id before the change/],
    ['the same user id before and after', { system: { type: 'user_changed_user_id', user_id: 'US.2', previous_user_id: 'US.2' } }, /same user id/],
  ])('skips a change with %s, and notes it as unreadable', (_label, message, reason) => {
    const { callback, unreadable } = readCallback(systemMessage(message));

    expect(numberChangesOf(callback)).toEqual([]);
    expect(unreadable).toEqual([{ path: 'entry[0].changes[0].value.messages[0]', messageId: META_MESSAGE, reason: expect.stringMatching(reason), items: 1 }]);
  });

  it('ignores other system messages, such as a change of identity, without noting them', () => {
    const { callback, unreadable } = readCallbackBody(Buffer.from(shapes.get('system-customer-identity-changed.json')!, 'utf8'));

    expect(numberChangesOf(callback)).toEqual([]);
    expect(unreadable).toEqual([]);
  });

  it('reads each system message on its own, beside the messages and statuses of the same change', () => {
    // prepare
    const callback = systemMessage({ from: '16505551234', system: { type: 'user_changed_number', wa_id: '12195555358' } });
    const value = callback.entry[0]!.changes[0]!.value as Record<string, any>;
    const [change] = value['messages'];
    value['messages'] = [
      { ...change, id: 'wamid.broken', system: { type: 'user_changed_number' } },
      change,
      { from: '16505551234', id: 'wamid.text', timestamp: 1739321030, type: 'text', text: { body: 'STOP' } },
    ];

    // act
    const { callback: read, unreadable } = readCallback(callback);

    // assess
    expect(numberChangesOf(read).map(({ messageId }) => messageId)).toEqual([META_MESSAGE]);
    expect(inboundMessagesOf(read).map(({ messageId, text }) => [messageId, text])).toEqual([['wamid.text', 'STOP']]);
    expect(unreadable.map(({ messageId }) => messageId)).toEqual(['wamid.broken']);
  });
});

describe('inboundMessagesOf and system messages', () => {
  it.each([...shapes.keys()].filter((name) => name.startsWith('system-')))('gives no inbound message, so no keyword, for %s', (name) => {
    expect(inboundMessagesOf(readCallbackBody(Buffer.from(shapes.get(name)!, 'utf8')).callback)).toEqual([]);
  });

  it('reads no keyword from a system message, whatever words it carries', () => {
    const callback = systemMessage({ from: '16505551234', text: { body: 'STOP' }, system: { type: 'user_changed_number', body: 'STOP', wa_id: '12195555358' } });

    expect(inboundMessagesOf(readCallback(callback).callback)).toEqual([]);
  });
});
