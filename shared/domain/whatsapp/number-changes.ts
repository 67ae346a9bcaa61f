import * as z from 'zod/mini';
import { userIdSchema } from '../consent-event.js';
import { onFirstUse } from '../on-first-use.js';
import type { BusinessNumber } from './callback.js';
import { dispensable, exactDigits, optional, readWith, reasonOf } from './lenient-reading.js';

/**
 * A user's change of WhatsApp id or business-scoped user id, as Meta tells it in a system message
 * (`messages[]`, `type: system`); the user's own signals go with the person to the new id.
 */
export interface NumberChange {
  /** The system message's id. */
  messageId: string;
  /** `number`: the user changed phone number (`user_changed_number`, formerly `customer_changed_number`); `user-id`: only their user id changed (`user_changed_user_id`). */
  kind: 'number' | 'user-id';
  /** The WhatsApp id before the change (a change of number). */
  previousRecipientId: string | undefined;
  /** The WhatsApp id after a change of number; the unchanged one after a change of user id, when Meta names it. */
  recipientId: string | undefined;
  /** The business-scoped user id before the change, when Meta names a well-formed one (always, for a change of user id). */
  previousUserId: string | undefined;
  /** The business-scoped user id after the change, when Meta names a well-formed one (always, for a change of user id). */
  userId: string | undefined;
  occurredAt: string;
  business: BusinessNumber;
}

/** A WhatsApp id as Meta writes it (digits), or a number where a sender wrote one; never a placeholder. */
const whatsappId = () => z.union([z.string().check(z.regex(/^\d{1,32}$/, 'must be a WhatsApp id (digits)')), exactDigits()]);

/** An empty string, as some senders write a field they leave out, is as if absent. */
const blankable = <S extends z.ZodMiniType>(schema: S) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    optional(schema),
  );

const KINDS: Record<string, NumberChange['kind']> = {
  user_changed_number: 'number',
  customer_changed_number: 'number',
  user_changed_user_id: 'user-id',
};

/** The schemas of system messages, built when the first one arrives. */
const schemas = onFirstUse(() => ({
  systemType: z.object({ type: z.string().check(z.maxLength(64)) }),
  waId: whatsappId(),
  /** Old (`customer`, webhooks v12+; else the sender) and new (`wa_id`; `new_wa_id` before v12) WhatsApp ids; user ids since August 2026. */
  numberChange: z.object({
    customer: blankable(whatsappId()),
    wa_id: blankable(whatsappId()),
    new_wa_id: blankable(whatsappId()),
    previous_user_id: dispensable(userIdSchema()),
    user_id: dispensable(userIdSchema()),
  }),
  /** The new user id, and the old one (`previous_user_id` since August 2026; before, only in `body`). */
  userIdChange: z.object({
    user_id: userIdSchema(),
    previous_user_id: blankable(userIdSchema()),
    body: dispensable(z.string().check(z.maxLength(1_024))),
    wa_id: dispensable(whatsappId()),
  }),
}));

/**
 * The change a system message tells: `undefined` for a system message about something else (a change
 * of identity), a string saying why it cannot be read (no type, no id before or after the change, the
 * same id on both sides).
 */
export function numberChangeOf(
  message: { id: string; from: string | undefined; timestamp: number; system?: unknown },
  business: BusinessNumber,
): NumberChange | string | undefined {
  const { systemType, waId, numberChange, userIdChange } = schemas();
  const about = readWith(systemType, message.system);
  if (!about.success) return `system: ${reasonOf(about.error)}`;
  const kind = KINDS[about.data.type];
  if (kind === undefined) return undefined;
  const common = { messageId: message.id, occurredAt: new Date(message.timestamp * 1000).toISOString(), business };
  const sender = message.from !== undefined && waId.safeParse(message.from).success ? message.from : undefined;
  if (kind === 'number') {
    const parsed = readWith(numberChange, message.system);
    if (!parsed.success) return `system: ${reasonOf(parsed.error)}`;
    const { customer, wa_id, new_wa_id, previous_user_id, user_id } = parsed.data;
    const previousRecipientId = customer ?? sender;
    const recipientId = wa_id ?? new_wa_id;
    if (previousRecipientId === undefined) return 'names no WhatsApp id before the change (system.customer or from)';
    if (recipientId === undefined) return 'names no WhatsApp id after the change (system.wa_id or system.new_wa_id)';
    if (previousRecipientId === recipientId) return 'names the same WhatsApp id before and after the change';
    return { ...common, kind, previousRecipientId, recipientId, previousUserId: previous_user_id, userId: user_id };
  }
  const parsed = readWith(userIdChange, message.system);
  if (!parsed.success) return `system: ${reasonOf(parsed.error)}`;
  const { user_id: userId, previous_user_id, body, wa_id } = parsed.data;
  const previousUserId = previous_user_id ?? previousUserIdIn(body, userId);
  if (previousUserId === undefined) return 'names no user id before the change (system.previous_user_id)';
  if (previousUserId === userId) return 'names the same user id before and after the change';
  return { ...common, kind, previousRecipientId: undefined, recipientId: sender ?? wa_id, previousUserId, userId };
}

/**
 * The old user id in the words Meta wrote before it sent `previous_user_id`: "User … changed from
 * US.1010… to US.1349…", and only if the words end with the new id.
 */
function previousUserIdIn(body: string | undefined, userId: string): string | undefined {
  const words = body?.replace(/[\u200e\u200f]/g, '').trim();
  const [, before, after] = words ? (/changed from (\S+) to (\S+)$/.exec(words) ?? []) : [];
  return after === userId && userIdSchema().safeParse(before).success ? before : undefined;
}
