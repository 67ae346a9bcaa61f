import { stringify } from 'csv-stringify/sync';
import type { ProviderActor } from './consent-event-shapes.js';
import type { ConsentSource } from './consent-state.js';
import type { E164 } from './phone.js';
import type { Page, PageRequest } from './records.js';

/** A blocked number as the blocklist lists it: who or what blocked it, why, and when. */
export interface BlockedNumber {
  phone: E164;
  source: ConsentSource;
  reason: string;
  reasonCode: string | undefined;
  updatedAt: string;
  updatedBy: string;
  /** When the provider blocked it: its sender, with the number it displays as when the state keeps it. */
  updatedBySender: ProviderActor | null;
}

/** What the list is narrowed to: a source, a provider code, changes after a moment. */
export interface BlockedNumbersFilter {
  source?: ConsentSource | undefined;
  reasonCode?: string | undefined;
  changedAfter?: string | undefined;
}

export interface BlockedNumbersReader {
  /** The currently blocked numbers that match, newest change first. */
  list(filter: BlockedNumbersFilter, page: PageRequest): Promise<Page<BlockedNumber>>;
}

export const BLOCKLIST_CSV_COLUMNS = ['phone', 'source', 'reason', 'reasonCode', 'updatedAt', 'updatedBy'] as const;

/**
 * A page of the blocklist as CSV (RFC 4180: CRLF line ends, quotes where a cell needs them), with the
 * header row. Cells that a spreadsheet would run as a formula are neutralised.
 */
export function blocklistCsv(items: readonly BlockedNumber[]): string {
  const rows = items.map((item) => [item.phone, item.source, item.reason, item.reasonCode ?? '', item.updatedAt, item.updatedBy].map(neutralised));
  return stringify([[...BLOCKLIST_CSV_COLUMNS], ...rows], { record_delimiter: 'windows', quoted_match: NEEDS_QUOTES });
}

/**
 * Besides commas, quotes and CRLF, which the CSV library quotes itself: a lone line feed or carriage
 * return, which spreadsheets read as the end of a row, and a semicolon or tab, which they read as the
 * end of a cell in locales that separate with them. Unquoted, any of these would let the rest of a
 * reason (`a\n=cmd|…`) open a cell of its own, where the formula guard below never looked.
 */
const NEEDS_QUOTES = /[\r\n;\t]/;

/** A number in E.164 (`+` and digits) is data to any spreadsheet, and stays as it is. */
const E164_CELL = /^\+[1-9]\d{1,14}$/;

/**
 * A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
 * before such a sign) would be run as a formula when the file is opened: it gets a leading `'`, which
 * spreadsheets show as text (OWASP's advice for CSV injection). E.164 numbers are left alone.
 */
export function neutralised(cell: string): string {
  if (E164_CELL.test(cell)) return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
