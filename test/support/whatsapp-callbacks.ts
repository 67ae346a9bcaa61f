import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The provider's own payload (`test/fixtures`), the base of every callback the tests send. */
const FIXTURE = readFileSync(new URL('../fixtures/meta-status-failed-131026.json', import.meta.url), 'utf8');

export interface StatusOptions {
  /** The recipient's WhatsApp id: digits without `+`. @default the fixture's */
  recipientId?: string;
  /** `failed`, `delivered`, `read`, `sent`. @default 'failed' */
  status?: string;
  /** The error code of a failed status. @default 131026 */
  code?: number;
  /** @default a new id each call */
  messageId?: string;
  /** Unix seconds. @default now */
  timestamp?: number;
  /** The recipient's business-scoped user id (`recipient_user_id`). @default none */
  userId?: string;
  /** Names the recipient by `userId` alone, without `recipient_id`, as Meta does for username users. */
  userIdOnly?: boolean;
  /** `biz_opaque_callback_data`, as the sending campaign set it. @default none */
  callbackData?: string;
}

let sent = 0;

/** One status object shaped like the fixture's, with the given recipient, status and error. */
export function statusObject(options: StatusOptions = {}): Record<string, unknown> {
  const { recipient_id: fixtureRecipient, ...base } = JSON.parse(FIXTURE).entry[0].changes[0].value.statuses[0];
  const status = options.status ?? 'failed';
  const recipientId = options.recipientId ?? fixtureRecipient;
  return {
    ...base,
    id: options.messageId ?? `wamid.test-${Date.now()}-${++sent}-${Math.random().toString(36).slice(2)}`,
    status,
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    ...(options.userIdOnly ? {} : { recipient_id: recipientId }),
    ...(options.userId ? { recipient_user_id: options.userId } : {}),
    ...(options.callbackData ? { biz_opaque_callback_data: options.callbackData } : {}),
    ...(status === 'failed' ? { errors: [{ ...base.errors[0], code: options.code ?? 131026 }] } : { errors: undefined }),
  };
}

/** A callback body in the fixture's envelope carrying the given statuses, as the provider sends it. */
export function callbackBody(...statuses: Record<string, unknown>[]): string {
  return callbackFrom(undefined, ...statuses);
}

/** As {@link callbackBody}, from the business number `phoneNumberId` (the sender the guard counts by). */
export function callbackFrom(phoneNumberId: string | undefined, ...statuses: Record<string, unknown>[]): string {
  const envelope = JSON.parse(FIXTURE);
  const value = envelope.entry[0].changes[0].value;
  value.statuses = statuses;
  value.contacts = statuses.flatMap((status) => (status['recipient_id'] ? [{ wa_id: status['recipient_id'] }] : []));
  if (phoneNumberId) value.metadata = { ...value.metadata, phone_number_id: phoneNumberId };
  return JSON.stringify(envelope, null, 2);
}

/** The `X-Hub-Signature-256` header value for these exact bytes. */
export function signatureOf(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

const PREFERENCES_FIXTURE = readFileSync(new URL('../fixtures/meta-user-preferences-stop.json', import.meta.url), 'utf8');

/**
 * A `user_preferences` callback in the fixture's envelope: the recipient stops or resumes a category of
 * messages at the given time (Unix seconds; the fixture's shape has a number there).
 */
export function preferencesBody(options: { waId: string; value?: string; category?: string; timestamp?: number }): string {
  const envelope = JSON.parse(PREFERENCES_FIXTURE);
  const value = envelope.entry[0].changes[0].value;
  value.contacts = [{ ...value.contacts[0], wa_id: options.waId }];
  value.user_preferences = [
    {
      ...value.user_preferences[0],
      wa_id: options.waId,
      value: options.value ?? 'stop',
      category: options.category ?? 'marketing_messages',
      timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    },
  ];
  return JSON.stringify(envelope, null, 2);
}

const INBOUND_FIXTURE = readFileSync(new URL('../fixtures/meta-inbound-text-stop.json', import.meta.url), 'utf8');

/** An inbound message callback in the fixture's envelope: a text, or a quick-reply button's label. */
export function inboundMessageBody(options: {
  waId: string;
  text: string;
  kind?: 'text' | 'button';
  messageId?: string;
  timestamp?: number;
  /** The sender's business-scoped user id, in `contacts[]`. @default none (the fixture's is left out) */
  userId?: string;
}): string {
  const envelope = JSON.parse(INBOUND_FIXTURE);
  const value = envelope.entry[0].changes[0].value;
  const { user_id: _fixtures, ...contact } = value.contacts[0];
  value.contacts = [{ ...contact, wa_id: options.waId, ...(options.userId ? { user_id: options.userId } : {}) }];
  const { text: _text, ...base } = value.messages[0];
  value.messages = [
    {
      ...base,
      from: options.waId,
      id: options.messageId ?? `wamid.inbound-${Date.now()}-${++sent}-${Math.random().toString(36).slice(2)}`,
      timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
      ...(options.kind === 'button' ? { type: 'button', button: { text: options.text, payload: 'opt-out' } } : { type: 'text', text: { body: options.text } }),
    },
  ];
  return JSON.stringify(envelope, null, 2);
}

const NUMBER_CHANGE_FIXTURE = readFileSync(new URL('../fixtures/meta-webhook-shapes/system-user-changed-number-2026.json', import.meta.url), 'utf8');

/**
 * A `user_changed_number` system message in the fixture's envelope: the user of WhatsApp id `from`
 * changed to `to` at `timestamp` (Unix seconds), keeping or dropping the fixture's user ids.
 */
export function numberChangeBody(options: { from: string; to: string; timestamp: number; messageId?: string; withUserIds?: boolean }): string {
  const envelope = JSON.parse(NUMBER_CHANGE_FIXTURE);
  const message = envelope.entry[0].changes[0].value.messages[0];
  const { previous_user_id: _previous, user_id: _user, previous_parent_user_id: _pp, parent_user_id: _p, ...system } = message.system;
  envelope.entry[0].changes[0].value.messages = [
    {
      ...message,
      from: options.from,
      id: options.messageId ?? `wamid.changed-${options.from}-${options.timestamp}`,
      timestamp: String(options.timestamp),
      system: { ...(options.withUserIds ? message.system : system), body: `User changed from ${options.from} to ${options.to}`, wa_id: options.to },
    },
  ];
  return JSON.stringify(envelope, null, 2);
}
