/**
 * The reference for a number's consent (SPEC behaviour 19), written as plainly as the rule reads and
 * independently of the product's registers: sort every signal of the number by its time, then fold
 * them, starting from "sendable, no opt-out". Tests compare the product with it.
 *
 * What it leaves undecided, and the generators therefore never produce: two people's signals with the
 * same millisecond where one is a released held block (a release has no sequence), and people's
 * decisions whose requested times run against their sequence (the API hands out both in one order).
 */

/** One signal about one number, as the rule speaks of it. */
export type Signal =
  /** An editor's or an import's block or unblock; `sequence` is the API's, per number. */
  | { kind: 'decision'; action: 'block' | 'unblock'; sequence: number; at: string }
  /** A failure that says the number cannot receive WhatsApp messages (not held by the guard). */
  | { kind: 'failure'; at: string }
  /** A held automatic block that an editor released, at the time of the release. */
  | { kind: 'release'; at: string }
  /** An opt-out (`stop`) or opt-in (`start`) keyword from the recipient. */
  | { kind: 'keyword'; word: 'stop' | 'start'; at: string }
  /** A marketing preference: `user_preferences` or a `131050` failure. */
  | { kind: 'marketing'; value: 'stop' | 'resume'; at: string };

export type Source = 'manual' | 'automatic' | 'recipient';

export interface FoldedConsent {
  blocked: boolean;
  /** The strongest block in force; none when sendable. */
  source: Source | undefined;
  marketingOptOut: boolean;
}

/** The signals in the rule's order: by time, with its tie rules. */
export function sortedByTime(signals: readonly Signal[]): Signal[] {
  return [...signals].sort(compare);
}

/** The final consent after every signal, in the rule's order. */
export function fold(signals: readonly Signal[]): FoldedConsent {
  const inForce = new Set<Source>();
  let marketingOptOut = false;
  for (const signal of sortedByTime(signals)) {
    switch (signal.kind) {
      case 'decision':
        if (signal.action === 'block') inForce.add('manual');
        else inForce.clear();
        break;
      case 'failure':
      case 'release':
        inForce.add('automatic');
        break;
      case 'keyword':
        if (signal.word === 'stop') inForce.add('recipient');
        else if (inForce.size === 1 && inForce.has('recipient')) inForce.clear();
        break;
      case 'marketing':
        marketingOptOut = signal.value === 'stop';
        break;
    }
  }
  const source = (['manual', 'automatic', 'recipient'] as const).find((candidate) => inForce.has(candidate));
  return { blocked: source !== undefined, source, marketingOptOut };
}

/**
 * By the second first. Within a second, people's decisions (and releases) come after the provider's and
 * the recipient's signals, since Meta's timestamps are whole seconds; people's decisions among
 * themselves by their sequence (else by the millisecond); the provider's and recipient's signals of one
 * second with the blocking one last.
 */
function compare(a: Signal, b: Signal): number {
  const second = (signal: Signal) => Math.floor(Date.parse(signal.at) / 1000);
  if (second(a) !== second(b)) return second(a) - second(b);
  if (isPersons(a) !== isPersons(b)) return isPersons(a) ? 1 : -1;
  if (isPersons(a)) {
    if (a.kind === 'decision' && b.kind === 'decision') return a.sequence - b.sequence;
    return Date.parse(a.at) - Date.parse(b.at);
  }
  return Number(isBlocking(a)) - Number(isBlocking(b));
}

function isPersons(signal: Signal): boolean {
  return signal.kind === 'decision' || signal.kind === 'release';
}

function isBlocking(signal: Signal): boolean {
  return signal.kind === 'failure' || (signal.kind === 'keyword' && signal.word === 'stop') || (signal.kind === 'marketing' && signal.value === 'stop');
}
