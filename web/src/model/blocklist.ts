import { ApiError } from '../api/api-error.js';
import type { ConsentSource } from '../api/types.js';
import { errorMessage } from './error-words.js';
import { counted } from './held-and-unresolved.js';

/**
 * The blocked numbers page's filters: what the page's address, the form and the API's query
 * (`GET /blocklist`) say about them, and the API's refusals of them in words. Values stay as the address
 * or the person gave them: the API judges them, and says what is wrong.
 */

/** The filters, in the order the page's address and the API's query name them. */
export const BLOCKLIST_FILTERS = ['source', 'reasonCode', 'changedAfter'] as const;
export type BlocklistFilterName = (typeof BLOCKLIST_FILTERS)[number];

/** `source` (`manual`, `automatic`, `recipient`), `reasonCode` (a WhatsApp error code), `changedAfter` (ISO). */
export type BlocklistFilter = Partial<Record<BlocklistFilterName, string>>;

/** The form's choices of source, with the API's value of each. */
export const SOURCE_CHOICES: readonly { value: ConsentSource; label: string }[] = [
  { value: 'manual', label: 'Operator (manual)' },
  { value: 'automatic', label: 'Automatic (provider failure)' },
  { value: 'recipient', label: 'Recipient (keyword)' },
];

/** The filters' names as the form labels them. */
export const FILTER_LABELS: Record<BlocklistFilterName, string> = {
  source: 'Source',
  reasonCode: 'Error code',
  changedAfter: 'Changed after',
};

/** The filters a query string names (other parameters are left out); empty values are no filter. */
export function filterFromQuery(search: string | URLSearchParams): BlocklistFilter {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const filter: BlocklistFilter = {};
  for (const name of BLOCKLIST_FILTERS) {
    const value = params.get(name)?.trim();
    if (value) filter[name] = value;
  }
  return filter;
}

/** The filters as query parameters, in a fixed order: for the page's address and for the API. */
export function filterQuery(filter: BlocklistFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of BLOCKLIST_FILTERS) {
    const value = filter[name]?.trim();
    if (value) params.set(name, value);
  }
  return params;
}

export function isFiltered(filter: BlocklistFilter): boolean {
  return filterQuery(filter).size > 0;
}

/** What the filter form holds: the source chosen, the code typed, and a `datetime-local` input's value. */
export interface FilterForm {
  source: string;
  reasonCode: string;
  changedAfterLocal: string;
}

/** The filters the form asks for; a time in the person's own time zone becomes an instant in UTC. */
export function filterFromForm(form: FilterForm): BlocklistFilter {
  return filterFromQuery(
    new URLSearchParams({ source: form.source, reasonCode: form.reasonCode, changedAfter: isoFromLocalInput(form.changedAfterLocal) ?? '' }),
  );
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * A `datetime-local` input's value (`2026-03-01T10:30`, with seconds when given) as an ISO instant in
 * UTC, reading it in the time zone of the browser; `undefined` when it is empty or no such moment.
 */
export function isoFromLocalInput(value: string): string | undefined {
  const match = LOCAL_INPUT.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const millisecond = Number((match[7] ?? '0').padEnd(3, '0'));
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(year, month - 1, day, hour, minute, second, millisecond);
  // 30 February would roll over into March: not a date the input could hold.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return undefined;
  return date.toISOString();
}

/**
 * An ISO instant as a `datetime-local` input's value in the browser's time zone, as precise as the
 * instant (minutes, or seconds and milliseconds when it has them); empty when it is not a time.
 */
export function localInputFromIso(iso: string | undefined): string {
  const date = iso ? new Date(iso) : undefined;
  if (!date || Number.isNaN(date.getTime())) return '';
  const two = (value: number) => String(value).padStart(2, '0');
  const minutes = `${String(date.getFullYear()).padStart(4, '0')}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
  if (date.getMilliseconds() !== 0) return `${minutes}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
  return date.getSeconds() !== 0 ? `${minutes}:${two(date.getSeconds())}` : minutes;
}

/** Why the list could not be read, in words, and what is wrong with each filter the API refused. */
export interface BlocklistProblem {
  message: string;
  fields: Partial<Record<BlocklistFilterName, string>>;
}

/**
 * The API's refusal of the filters (a 400 naming `query.reasonCode` and the like) as sentences that name
 * the form's fields; any other failure in the console's usual words.
 */
export function blocklistProblem(error: unknown): BlocklistProblem {
  const errors = error instanceof ApiError && error.kind === 'invalid' ? (error.problem?.errors ?? []) : [];
  if (errors.length === 0) return { message: `The blocked numbers could not be loaded. ${errorMessage(error)}`, fields: {} };
  const fields: BlocklistProblem['fields'] = {};
  const sentences = errors.map(({ field, message }) => {
    const name = BLOCKLIST_FILTERS.find((filter) => field === `query.${filter}`);
    if (name) fields[name] = `${FILTER_LABELS[name]} ${message}.`;
    return name ? fields[name] : `${field} ${message}.`;
  });
  return { message: `The service cannot use ${errors.length === 1 ? 'this filter' : 'these filters'}: ${sentences.join(' ')}`, fields };
}

/**
 * What the table shows, for the status line under the form. A page with a next cursor may be the last
 * with numbers (the API stops a filtered search after reading part of the list), so it says "may".
 */
export function shownSummary(shown: number, more: boolean): string {
  return more ? `Showing the newest ${counted(shown, 'blocked number', 'blocked numbers')}; there may be more.` : `Showing ${counted(shown, 'blocked number', 'blocked numbers')}.`;
}

/**
 * The page's sentence when no number is listed: that none is (`more` false), or, while the API has more
 * of the list to search (it answered a page with no numbers and a next cursor), that none is found yet.
 */
export function emptyMessage(filter: BlocklistFilter, more = false): string {
  if (more) return `${isFiltered(filter) ? 'No number matching these filters' : 'No blocked number'} found yet: the service has searched part of the list.`;
  return isFiltered(filter) ? 'No blocked number matches these filters.' : 'No number is blocked.';
}

/**
 * How many records a CSV text holds: line ends outside quoted cells (RFC 4180; the API ends every record,
 * the header's too, with CRLF). A cell may hold a line break inside its quotes.
 */
export function csvRecordCount(text: string): number {
  let records = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (char === '\n' && !quoted) records++;
  }
  return text.length > 0 && !text.endsWith('\n') ? records + 1 : records;
}

/** A CSV text without its first record (the header), to join a later page onto the first. */
export function withoutCsvHeader(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? '' : text.slice(end + 1);
}

/** The query of the `rel="next"` address in a `Link` header, or `undefined` when it names none. */
export function nextLinkQuery(link: string | null): string | undefined {
  for (const part of link?.split(/,(?=\s*<)/) ?? []) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?next"?\s*(?:;|$)/i.test(match[2]!)) {
      const query = new URL(match[1]!, 'https://api.invalid/').searchParams;
      return query.size > 0 ? query.toString() : undefined;
    }
  }
  return undefined;
}
