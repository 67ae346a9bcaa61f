import type { HeldBlock } from '../api/types.js';
import { reasonProblem } from './reason.js';

/**
 * The held automatic blocks and the unresolved recipients, in words, and the selection of held numbers:
 * what the two pages need that is not drawing.
 */

/** `1 number`, `2 numbers`. */
export function counted(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** A number's held blocks: a number may be held more than once (several failures were held). */
export interface HeldNumber {
  phone: string;
  blocks: HeldBlock[];
}

/** The held blocks by number, each number where it first appears in the list. */
export function heldByNumber(items: readonly HeldBlock[]): HeldNumber[] {
  const numbers = new Map<string, HeldBlock[]>();
  for (const item of items) {
    const blocks = numbers.get(item.phone);
    if (blocks) blocks.push(item);
    else numbers.set(item.phone, [item]);
  }
  return [...numbers].map(([phone, blocks]) => ({ phone, blocks }));
}

/** "Select all": ticked when every number shown is selected, mixed when some are. */
export function selectAllState(phones: readonly string[], selected: ReadonlySet<string>): 'none' | 'some' | 'all' {
  const count = phones.filter((phone) => selected.has(phone)).length;
  if (count === 0) return 'none';
  return count === phones.length ? 'all' : 'some';
}

/** The most numbers one release or discard may name (the service's limit). */
export const HELD_MAX_PHONES = 100;

export interface HeldActionProblem {
  /** What to fix: the selection in the table, or the reason field. */
  field: 'selection' | 'reason';
  message: string;
}

/** Why a release or discard of these numbers with this (cleaned) reason cannot be sent yet. */
export function heldActionProblem(selected: number, reason: string): HeldActionProblem | undefined {
  if (selected === 0) return { field: 'selection', message: 'Select at least one number in the table.' };
  if (selected > HELD_MAX_PHONES) {
    return { field: 'selection', message: `Select at most ${HELD_MAX_PHONES} numbers at a time; ${selected} are selected.` };
  }
  const problem = reasonProblem(reason);
  return problem ? { field: 'reason', message: problem } : undefined;
}

export type HeldAction = 'release' | 'discard';

/**
 * What a release or discard did, said to the person who asked: how many numbers it took, and how many
 * of the selected ones the service no longer held (someone else released or discarded them first).
 */
export function heldActionMessage(action: HeldAction, requested: number, done: number): string {
  if (done === 0) return `None of the selected numbers was still held; nothing was ${action === 'release' ? 'released' : 'discarded'}.`;
  const said =
    action === 'release'
      ? `Released ${counted(done, 'number', 'numbers')}; ${done === 1 ? 'it' : 'they'} will be blocked shortly.`
      : `Discarded ${counted(done, 'held block', 'held blocks')}; the ${done === 1 ? 'number stays' : 'numbers stay'} sendable.`;
  const gone = requested - done;
  return gone > 0 ? `${said} ${counted(gone, 'selected number was', 'selected numbers were')} no longer held.` : said;
}

/** `3 failure reports could not be matched to a number.` */
export function unresolvedSummary(count: number): string {
  return count === 0
    ? 'Every failure report was matched to a number.'
    : `${counted(count, 'failure report', 'failure reports')} could not be matched to a number.`;
}
