/**
 * When a consent signal was given, as much as is needed to put any two of a number's signals in order
 * (the order is the same whichever of them arrives first).
 *
 * - A person's decision (an editor's or an import's block or unblock) is ordered against other such
 *   decisions by its per-number `sequence`, which the API hands out in the order it accepts requests.
 * - Against anything else, by its time. Meta's timestamps are whole seconds, so within one second a
 *   person's decision counts as the later one: the person may have seen the signal, and acted on it.
 * - Among the provider's and the recipient's signals of one second, a blocking one counts as later
 *   (fail safe: a STOP and a START of the same second leave the number blocked).
 * - Signals carried from the recipient's previous number, all at the time of the change, keep the order
 *   in which the recipient gave them.
 * - What still ties (two signals of the same kind, the same second) is ordered by event id, so that
 *   even the details shown never depend on arrival order.
 */
export interface SignalTime {
  /** ISO timestamp: when the person asked, or when the provider or recipient said it. */
  at: string;
  /** `person`: an editor, an import, or an editor releasing a held block. */
  by: 'person' | 'provider';
  /** Whether the signal asks for a block (or a marketing opt-out). */
  blocking: boolean;
  /** A person's request's per-number sequence; a released held block has none. */
  sequence?: number | undefined;
  /**
   * For a signal carried from the recipient's previous number (`at` is when they changed number): when
   * they gave it there. Of two carried at the same time, the one given later counts as later.
   */
  origin?: string | undefined;
  eventId: string;
}

/** Negative when `a` came before `b`, positive when after, zero only for the same signal. */
export function compareSignals(a: SignalTime, b: SignalTime): number {
  if (a.sequence !== undefined && b.sequence !== undefined) return a.sequence - b.sequence || byEventId(a, b);
  const seconds = wholeSeconds(a.at) - wholeSeconds(b.at);
  if (seconds !== 0) return seconds;
  if (a.by !== b.by) return a.by === 'person' ? 1 : -1;
  const millis = Date.parse(a.at) - Date.parse(b.at);
  if (millis !== 0) return millis;
  const origins = Date.parse(a.origin ?? a.at) - Date.parse(b.origin ?? b.at);
  if (origins !== 0) return origins;
  if (a.blocking !== b.blocking) return a.blocking ? 1 : -1;
  return byEventId(a, b);
}

function byEventId(a: SignalTime, b: SignalTime): number {
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** Whether `a` came after `b` (a missing `b` is before everything). */
export function isLater(a: SignalTime, b: SignalTime | undefined): boolean {
  return b === undefined || compareSignals(a, b) > 0;
}

function wholeSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
