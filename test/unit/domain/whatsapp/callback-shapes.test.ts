import {
  deliveryStatusesOf,
  inboundMessagesOf,
  numberChangesOf,
  preferencesOf,
  readCallbackBody,
  unreadableItems,
} from '../../../../shared/domain/whatsapp/callback.js';
import { SHAPE_READINGS } from '../../support/meta-shapes.js';
import { metaWebhookShapes } from '../../support/webhook-function.js';

/*
 * Every payload shape of Meta's webhook reference (test/fixtures/meta-webhook-shapes), through the
 * parser alone: what it finds in each, and what it notes as unreadable.
 */

const shapes = metaWebhookShapes();

describe("readCallbackBody on Meta's payload shapes", () => {
  it.each(shapes)('reads %s', (name, body) => {
    // act
    const { callback, unreadable } = readCallbackBody(Buffer.from(body, 'utf8'));

    // assess
    expect({
      statuses: deliveryStatusesOf(callback).length,
      messages: inboundMessagesOf(callback).length,
      preferences: preferencesOf(callback).length,
      numberChanges: numberChangesOf(callback).length,
      unreadable: unreadableItems(unreadable),
    }).toEqual(SHAPE_READINGS[name]);
  });

  it('reads the signals of the shapes with their times, whether Meta wrote them as strings or numbers', () => {
    const read = (name: string) => readCallbackBody(Buffer.from(shapes.find(([shape]) => shape === name)![1], 'utf8')).callback;

    expect(preferencesOf(read('user-preferences-resume.json'))).toEqual([
      {
        recipientId: '16505551234',
        category: 'marketing_messages',
        value: 'resume',
        detail: 'User requested to resume marketing messages',
        occurredAt: '2024-11-15T21:22:01.000Z',
        sender: { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881' },
      },
    ]);
    expect(deliveryStatusesOf(read('status-delivered-bsuid.json'))).toMatchObject([{ status: 'delivered', recipientId: undefined, userId: 'US.13491208655302741918', occurredAt: '2025-06-15T23:27:53.000Z' }]);
    expect(inboundMessagesOf(read('message-button.json'))).toMatchObject([{ senderId: '491234567890', text: 'No', occurredAt: '2022-05-22T21:01:53.000Z' }]);
    expect(numberChangesOf(read('system-user-changed-number-numeric-timestamp.json'))).toMatchObject([{ occurredAt: '2025-02-12T00:43:44.000Z' }]);
  });

  it('notes where the unreadable items of the shapes are, and why, without their contents', () => {
    const unreadableIn = (name: string) => readCallbackBody(Buffer.from(shapes.find(([shape]) => shape === name)![1], 'utf8')).unreadable;

    expect(unreadableIn('status-placeholders.json')).toEqual([
      { path: 'entry[0].changes[0].value.statuses[0]', messageId: 'wamid.ID', reason: expect.stringMatching(/^timestamp: must be Unix seconds/), items: 1 },
    ]);
    expect(unreadableIn('system-user-changed-number-placeholders.json')).toEqual([
      { path: 'entry[0].changes[0].value.messages[0]', messageId: expect.stringMatching(/^wamid\./), reason: expect.stringMatching(/new_wa_id/), items: 1 },
    ]);
    expect(JSON.stringify(unreadableIn('system-user-changed-number-placeholders.json'))).not.toMatch(/NEW_PHONE_NUMBER|PHONE_NUMBER to/);
  });
});
