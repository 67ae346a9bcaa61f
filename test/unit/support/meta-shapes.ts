/**
 * What the service reads in each of Meta's payload shapes (`test/fixtures/meta-webhook-shapes/`): the
 * delivery statuses, inbound messages, marketing preferences and number changes it finds, and how many
 * items it cannot read (acknowledged all the same). System messages are number changes, not messages.
 */
export interface ShapeReading {
  statuses: number;
  messages: number;
  preferences: number;
  numberChanges: number;
  unreadable: number;
}

const nothing: ShapeReading = { statuses: 0, messages: 0, preferences: 0, numberChanges: 0, unreadable: 0 };
const status = { ...nothing, statuses: 1 };
const message = { ...nothing, messages: 1 };
const numberChange = { ...nothing, numberChanges: 1 };
const preference = { ...nothing, preferences: 1 };

export const SHAPE_READINGS: Record<string, ShapeReading> = {
  'status-sent-conversation-pricing.json': status,
  'status-sent-callback-data.json': status,
  'status-failed-130472.json': status,
  'status-failed-131026-redacted.json': status,
  'status-delivered-bsuid.json': status,
  'status-read-group.json': status,
  // `"timestamp": "TIMESTAMP"`: no time to date the status by
  'status-placeholders.json': { ...nothing, unreadable: 1 },

  'message-text.json': message,
  'message-text-bsuid-group.json': message,
  'message-button.json': message,
  'message-interactive-button-reply.json': message,
  'message-interactive-list-reply.json': message,
  'message-interactive-nfm-reply.json': message,
  'message-reaction.json': message,
  'message-location.json': message,
  'message-contacts.json': message,
  'message-contacts-request-bsuid.json': message,
  'message-image.json': message,
  'message-audio-voice.json': message,
  'message-sticker.json': message,
  'message-referral-ad.json': message,
  'message-unsupported-errors.json': message,
  'message-unknown-errors.json': message,
  'message-edit.json': message,
  'message-order.json': message,

  'system-user-changed-number-meta.json': numberChange,
  'system-user-changed-number-numeric-timestamp.json': numberChange,
  'system-user-changed-number.json': numberChange,
  'system-customer-changed-number-legacy.json': numberChange,
  // `"new_wa_id": "NEW_PHONE_NUMBER"`: no new WhatsApp id
  'system-user-changed-number-placeholders.json': { ...nothing, unreadable: 1 },
  'system-user-changed-user-id.json': numberChange,
  'system-user-changed-user-id-2026.json': numberChange,
  'system-user-changed-number-2026.json': numberChange,
  'system-customer-identity-changed.json': nothing,

  'user-preferences-resume.json': preference,
  'user-preferences-signup.json': preference,

  'template-category-update.json': nothing,
  'message-template-status-update.json': nothing,
  'message-template-status-update-null-reason.json': nothing,
  'account-update-restriction.json': nothing,
  'account-update-banned.json': nothing,
  'account-review-update.json': nothing,
  'phone-number-quality-update.json': nothing,
  'phone-number-name-update.json': nothing,
  'business-username-update.json': nothing,
  'user-id-update.json': nothing,
  'group-participants-update.json': nothing,
  'calls-connect.json': nothing,
  // the user's past messages, a STOP among them, are not signals of today
  'history.json': nothing,
  'smb-message-echoes.json': nothing,
};
