import type { ConsentAction } from '../consent-event.js';
import { compareSignals, isLater, type SignalTime } from './signal-order.js';

/** Who blocked or unblocked a number: an editor, the provider's failure report, or the recipient's keyword. */
export type ConsentSource = 'manual' | 'automatic' | 'recipient';

/** How a marketing opt-out reached us: Meta's `user_preferences` webhook, or a `131050` failure. */
export type MarketingOptOutSource = 'user_preferences' | 'delivery_failure';

/** What a register shows people: why, in whose words, and on which profile's page. */
interface Shown {
  reason: string;
  /** Who the state names as its last changer: an editor's username, `whatsapp:<sender>`, `recipient:<id>`. */
  updatedBy: string;
}

/** The editors' last decision (an import's rows are editors' decisions too). */
export interface EditorsWord extends SignalTime, Shown {
  by: 'person';
  action: ConsentAction;
  sequence: number;
  profileId: string | undefined;
}

/**
 * The latest blocking failure the provider reported, or the latest held block an editor released (which
 * counts as that editor's decision, at the time of the release).
 */
export interface FailureWord extends SignalTime, Shown {
  blocking: true;
  reasonCode: string | undefined;
}

/** The recipient's latest keyword: `stop` (an opt-out keyword) or `start` (an opt-in keyword). */
export interface KeywordWord extends SignalTime, Shown {
  keyword: 'stop' | 'start';
}

/** The recipient's latest marketing preference: `stop` or `resume`. */
export interface MarketingWord extends SignalTime {
  by: 'provider';
  preference: 'stop' | 'resume';
  source: MarketingOptOutSource;
  /** The business number (`phone_number_id`) the recipient told. */
  sender: string;
}

/**
 * What each source last said about a number, and when. Each register only moves forward (in the order of
 * {@link compareSignals}), so merging signals into them gives the same registers whatever order the
 * signals arrive in, and however often; the number's visible consent is computed from them
 * ({@link consentOf}).
 */
export interface Registers {
  editors?: EditorsWord | undefined;
  failure?: FailureWord | undefined;
  keyword?: KeywordWord | undefined;
  marketing?: MarketingWord | undefined;
}

export type RegisterName = keyof Registers;

/** One signal, as the register it goes to. */
export type Said =
  | { register: 'editors'; word: EditorsWord }
  | { register: 'failure'; word: FailureWord }
  | { register: 'keyword'; word: KeywordWord }
  | { register: 'marketing'; word: MarketingWord };

/** The registers with one more signal merged in, or `undefined` when the register already holds a later one. */
export function merged(registers: Registers, said: Said): Registers | undefined {
  const held = registers[said.register];
  return isLater(said.word, held) ? { ...registers, [said.register]: said.word } : undefined;
}

/** The recipient's marketing opt-out: not a block; only the recipient ends it, by resuming. */
export interface MarketingOptOut {
  since: string;
  source: MarketingOptOutSource;
  /** The business number (`phone_number_id`) the recipient told. */
  sender: string;
}

/** What campaigns and people see of a number, computed from its registers. */
export interface VisibleConsent {
  blocked: boolean;
  /** The strongest block in force, or, for a sendable number, whoever last lifted a block. */
  source: ConsentSource | undefined;
  reason: string | undefined;
  reasonCode: string | undefined;
  profileId: string | undefined;
  updatedBy: string | undefined;
  marketingOptOut: MarketingOptOut | undefined;
}

/** The blocks in force, strongest first: an editor's, the provider's, the recipient's. */
export function blocksInForce(registers: Registers): ConsentSource[] {
  const { editors, failure, keyword } = registers;
  const liftedAfter = (word: SignalTime) => editors?.action === 'unblock' && compareSignals(editors, word) > 0;
  const inForce: ConsentSource[] = [];
  if (editors?.action === 'block') inForce.push('manual');
  if (failure && !liftedAfter(failure)) inForce.push('automatic');
  if (keyword?.keyword === 'stop' && !liftedAfter(keyword)) inForce.push('recipient');
  return inForce;
}

/**
 * The number's consent from its registers:
 * - blocked while an editor's block is the editors' last word, or a failure or the recipient's STOP is
 *   later than the editors' last unblock (a recipient's START takes the recipient's own block back, and
 *   no other);
 * - the source shown is the strongest block in force (`manual`, `automatic`, `recipient`), with its
 *   register's reason; a sendable number shows whoever last lifted a block;
 * - the marketing opt-out is the recipient's latest preference, apart from any block.
 */
export function consentOf(registers: Registers): VisibleConsent {
  const [strongest] = blocksInForce(registers);
  const shown = strongest ? blockShown(registers, strongest) : liftShown(registers);
  const marketing = registers.marketing;
  return {
    blocked: strongest !== undefined,
    ...shown,
    marketingOptOut:
      marketing?.preference === 'stop' ? { since: marketing.at, source: marketing.source, sender: marketing.sender } : undefined,
  };
}

type Shows = Omit<VisibleConsent, 'blocked' | 'marketingOptOut'>;

const nothingShown: Shows = { source: undefined, reason: undefined, reasonCode: undefined, profileId: undefined, updatedBy: undefined };

function blockShown(registers: Registers, source: ConsentSource): Shows {
  const word = source === 'manual' ? registers.editors : source === 'automatic' ? registers.failure : registers.keyword;
  return word ? shownOf(source, word) : nothingShown;
}

/** A sendable number shows the later of the editors' unblock and the recipient's START, if any. */
function liftShown({ editors, keyword }: Registers): Shows {
  const lifts = [editors?.action === 'unblock' ? editors : undefined, keyword?.keyword === 'start' ? keyword : undefined];
  const [latest] = lifts.filter((word) => word !== undefined).sort((a, b) => compareSignals(b, a));
  if (!latest) return nothingShown;
  return shownOf('action' in latest ? 'manual' : 'recipient', latest);
}

function shownOf(source: ConsentSource, word: Shown & Partial<Pick<EditorsWord, 'profileId'> & Pick<FailureWord, 'reasonCode'>>): Shows {
  return { source, reason: word.reason, reasonCode: word.reasonCode, profileId: word.profileId, updatedBy: word.updatedBy };
}
