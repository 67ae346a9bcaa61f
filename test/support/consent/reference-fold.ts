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
  | { kind: 'marketing'; value: 'stop' | 'resume'; at: string }
  /**
   * A keyword or marketing preference the recipient gave on their previous number (at `origin`), which
   * goes with them to this number when they change to it (at `at`).
   */
  | { kind: 'carried'; of: Extract<Signal, { kind: 'keyword' | 'marketing' }>; at: string };

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

/**
 * The final consent after every signal, in the rule's order. A keyword or marketing stop carried from
 * the recipient's previous number is the recipient's block (or opt-out) like their own; their own later
 * START (or resume) here ends both, and a later carried one ends only the carried one.
 */
export function fold(signals: readonly Signal[]): FoldedConsent {
  const inForce = new Set<Source | 'carried'>();
  const optedOut = { own: false, carried: false };
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
        else if ([...inForce].every((block) => block === 'recipient' || block === 'carried')) inForce.clear();
        break;
      case 'marketing':
        optedOut.own = signal.value === 'stop';
        if (signal.value === 'resume') optedOut.carried = false;
        break;
      case 'carried':
        if (signal.of.kind === 'keyword') {
          if (signal.of.word === 'stop') inForce.add('carried');
          else inForce.delete('carried');
        } else {
          optedOut.carried = signal.of.value === 'stop';
        }
        break;
    }
  }
  if (inForce.delete('carried')) inForce.add('recipient');
  const source = (['manual', 'automatic', 'recipient'] as const).find((candidate) => inForce.has(candidate));
  return { blocked: source !== undefined, source, marketingOptOut: optedOut.own || optedOut.carried };
}

/**
 * What goes with a recipient who changed from one number to another at `changedAt`: the latest keyword
 * and the latest marketing preference they gave on the old number before the change.
 */
export function carriedBy(oldSignals: readonly Signal[], changedAt: string): Signal[] {
  const before = sortedByTime(oldSignals).filter((signal) => Date.parse(signal.at) <= Date.parse(changedAt));
  const latest = (kind: 'keyword' | 'marketing') => before.filter((signal) => signal.kind === kind).at(-1) as Extract<Signal, { kind: 'keyword' | 'marketing' }> | undefined;
  return [latest('keyword'), latest('marketing')].flatMap((of) => (of ? [{ kind: 'carried' as const, of, at: changedAt }] : []));
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
  // Signals carried at the time of a change keep the order in which the recipient gave them.
  const origin = (signal: Signal) => Date.parse(signal.kind === 'carried' ? signal.of.at : signal.at);
  if (origin(a) !== origin(b)) return origin(a) - origin(b);
  return Number(isBlocking(a)) - Number(isBlocking(b));
}

function isPersons(signal: Signal): boolean {
  return signal.kind === 'decision' || signal.kind === 'release';
}

function isBlocking(signal: Signal): boolean {
  if (signal.kind === 'carried') return isBlocking(signal.of);
  return signal.kind === 'failure' || (signal.kind === 'keyword' && signal.word === 'stop') || (signal.kind === 'marketing' && signal.value === 'stop');
}
