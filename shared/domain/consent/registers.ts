import type { ConsentAction } from '../consent-event-shapes.js';
import type { E164 } from '../e164.js';
import { compareSignals, isLater, type SignalTime } from './signal-order.js';

/** Who blocked or unblocked a number: an editor, the provider's failure report, or the recipient's keyword. */
export type ConsentSource = 'manual' | 'automatic' | 'recipient';

/** How a marketing opt-out reached us: Meta's `user_preferences` webhook, or a `131050` failure. */
export type MarketingOptOutSource = 'user_preferences' | 'delivery_failure';

/** What a register shows people: why, and who changed it. */
interface Shown {
  reason: string;
  /** Who the state names as its last changer: an editor's username, `whatsapp:<sender>`, `recipient:<id>`. */
  updatedBy: string;
  /** For a provider's failure: the number its sender displays as (`display_phone_number`), when Meta gave it. */
  senderDisplay?: string | undefined;
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

/** The recipient changed from this number to another (`to`, as the webhook read it), at `at`. */
export interface MovedWord extends SignalTime {
  by: 'provider';
  to: { phone: E164; alternatives: E164[]; recipientId: string };
  /** The business number (`phone_number_id`) that was told. */
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
  /**
   * The latest keyword and marketing preference the recipient gave on their previous number before
   * changing to this one, dated when they changed (`origin`: when they gave it). They are the
   * recipient's own, and this number's own later keyword or preference overrides them.
   */
  carriedKeyword?: KeywordWord | undefined;
  carriedMarketing?: MarketingWord | undefined;
  /** The latest number the recipient of this number changed to. */
  moved?: MovedWord | undefined;
}


/** One signal, as the register it goes to. */
export type Said =
  | { register: 'editors'; word: EditorsWord }
  | { register: 'failure'; word: FailureWord }
  | { register: 'keyword' | 'carriedKeyword'; word: KeywordWord }
  | { register: 'marketing' | 'carriedMarketing'; word: MarketingWord }
  | { register: 'moved'; word: MovedWord };

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
  /**
   * When `updatedBy` names the provider's sender (`whatsapp:<id>`): the number that sender displays as,
   * if the callback gave it, so that every reader can name the sender as people know it.
   */
  senderDisplayPhoneNumber?: string | undefined;
  marketingOptOut: MarketingOptOut | undefined;
}

/** The blocks in force, strongest first: an editor's, the provider's, the recipient's. */
export function blocksInForce(registers: Registers): ConsentSource[] {
  const { editors, failure } = registers;
  const inForce: ConsentSource[] = [];
  if (editors?.action === 'block') inForce.push('manual');
  if (failure && !liftedByEditors(registers, failure)) inForce.push('automatic');
  if (recipientStop(registers)) inForce.push('recipient');
  return inForce;
}

/** Whether the editors' last word is an unblock given after `word`. */
function liftedByEditors({ editors }: Registers, word: SignalTime): boolean {
  return editors?.action === 'unblock' && compareSignals(editors, word) > 0;
}

/**
 * The recipient's STOP in force, if any (the later, where two are): this number's own latest keyword if
 * it is STOP, or a STOP carried from their previous number that this number's own START has not
 * followed; either only while no editor unblocked the number after it.
 */
export function recipientStop(registers: Registers): KeywordWord | undefined {
  const { keyword, carriedKeyword } = registers;
  const own = keyword?.keyword === 'stop' ? keyword : undefined;
  const carried = carriedKeyword?.keyword === 'stop' && !(keyword && compareSignals(keyword, carriedKeyword) > 0) ? carriedKeyword : undefined;
  const standing = [own, carried].filter((word): word is KeywordWord => word !== undefined && !liftedByEditors(registers, word));
  return standing.sort((a, b) => compareSignals(b, a))[0];
}

/** Likewise the recipient's marketing stop that stands, from this number or carried to it. */
export function marketingStop({ marketing, carriedMarketing }: Registers): MarketingWord | undefined {
  if (marketing?.preference === 'stop') return marketing;
  if (carriedMarketing?.preference !== 'stop') return undefined;
  return marketing !== undefined && compareSignals(marketing, carriedMarketing) > 0 ? undefined : carriedMarketing;
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
  const stop = marketingStop(registers);
  return {
    blocked: strongest !== undefined,
    ...shown,
    marketingOptOut: stop ? { since: stop.at, source: stop.source, sender: stop.sender } : undefined,
  };
}

type Shows = Omit<VisibleConsent, 'blocked' | 'marketingOptOut'>;

const nothingShown: Shows = { source: undefined, reason: undefined, reasonCode: undefined, profileId: undefined, updatedBy: undefined, senderDisplayPhoneNumber: undefined };

function blockShown(registers: Registers, source: ConsentSource): Shows {
  const word = source === 'manual' ? registers.editors : source === 'automatic' ? registers.failure : recipientStop(registers);
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
  return { source, reason: word.reason, reasonCode: word.reasonCode, profileId: word.profileId, updatedBy: word.updatedBy, senderDisplayPhoneNumber: word.senderDisplay };
}
