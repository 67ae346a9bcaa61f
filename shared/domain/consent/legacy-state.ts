import type { Registers } from './registers.js';

/**
 * A state item written before the registers existed: its visible consent, plus the times it kept to
 * order later signals (`lastSeq` and `decidedAt` of the editors' last decision, `automaticAt` of the
 * latest failure or keyword, `marketingChangedAt` of the latest marketing preference).
 */
export interface LegacyState {
  blocked: boolean;
  source: 'manual' | 'automatic' | 'recipient' | undefined;
  reason: string | undefined;
  reasonCode: string | undefined;
  profileId: string | undefined;
  updatedBy: string | undefined;
  lastSeq: number | undefined;
  decidedAt: string | undefined;
  automaticAt: string | undefined;
  marketingOptOut: { since: string; source: 'user_preferences' | 'delivery_failure'; sender: string } | undefined;
  marketingChangedAt: string | undefined;
}

/**
 * The id legacy registers are known by: no real event has it, and it sorts after every id, so that a
 * signal with the same time or sequence as a legacy register is taken for the repeat it is.
 */
const LEGACY_EVENT = '~legacy';

/**
 * Registers that show exactly what a legacy item shows, so such items need no backfill: the next signal
 * merges into these and writes the registers.
 *
 * A legacy item kept only the times, not what each source last said, so the registers are the simplest
 * history that explains it:
 * - the editors' last decision is the block shown (a `manual` block), or else an unblock, when there was
 *   a decision at all (`lastSeq`);
 * - a block shown as `automatic` or `recipient` is the latest failure or STOP, and stays in force until
 *   the next unblock, even where the editors' last decision came after it (a block requested after a
 *   failure was left unchanged, and its source stayed `automatic`);
 * - a number unblocked by the recipient's START has that START as the recipient's latest keyword;
 * - the marketing preference is the opt-out shown, or a resume at the time of the last change.
 */
export function registersOfLegacy(state: LegacyState): Registers {
  const registers: Registers = {};
  const shown = { reason: state.reason ?? '', updatedBy: state.updatedBy ?? '' };
  if (state.lastSeq !== undefined && state.lastSeq > 0 && state.decidedAt !== undefined) {
    const blockedByEditor = state.blocked && state.source === 'manual';
    registers.editors = {
      at: state.decidedAt,
      by: 'person',
      blocking: blockedByEditor,
      sequence: state.lastSeq,
      eventId: LEGACY_EVENT,
      action: blockedByEditor ? 'block' : 'unblock',
      profileId: state.source === 'manual' ? state.profileId : undefined,
      ...(state.source === 'manual' ? shown : { reason: '', updatedBy: '' }),
    };
  }
  // A block shown as the provider's or the recipient's stays in force until the next unblock: it is
  // dated no earlier than the editors' last decision, and ordered after it within the same time.
  const afterDecision = state.blocked && state.decidedAt !== undefined && !isBefore(state.decidedAt, state.automaticAt);
  const providerAt = afterDecision ? state.decidedAt : state.automaticAt;
  const by = afterDecision ? 'person' : 'provider';
  if (state.source === 'automatic' && state.blocked && providerAt) {
    registers.failure = { at: providerAt, by, blocking: true, eventId: LEGACY_EVENT, reasonCode: state.reasonCode, ...shown };
  }
  if (state.source === 'recipient' && providerAt) {
    registers.keyword = { at: providerAt, by, blocking: state.blocked, eventId: LEGACY_EVENT, keyword: state.blocked ? 'stop' : 'start', ...shown };
  }
  if (state.marketingOptOut) {
    const { since, source, sender } = state.marketingOptOut;
    registers.marketing = { at: state.marketingChangedAt ?? since, by: 'provider', blocking: true, eventId: LEGACY_EVENT, preference: 'stop', source, sender };
  } else if (state.marketingChangedAt !== undefined) {
    registers.marketing = {
      at: state.marketingChangedAt,
      by: 'provider',
      blocking: false,
      eventId: LEGACY_EVENT,
      preference: 'resume',
      source: 'user_preferences',
      sender: '',
    };
  }
  return registers;
}

/** Whether `a` is before `b` (a missing `b` is before nothing). */
function isBefore(a: string, b: string | undefined): boolean {
  return b !== undefined && Date.parse(a) < Date.parse(b);
}
