import { actionSchema, type ConsentAction } from '../consent-event.js';
import { InvalidInputError } from '../errors.js';
import { onFirstUse } from '../on-first-use.js';
import { normalisePhone, type E164 } from '../phone.js';
import { humanText, REASON_MAX_LENGTH } from '../text.js';
import { CsvFileError, readCsv, type CsvRecord } from './csv.js';

/** The columns an import file starts with; further columns may follow them (an export's), and are ignored. */
export const IMPORT_COLUMNS = ['phone', 'action', 'reason'] as const;
/** Rows after the header that one import takes. */
export const MAX_IMPORT_ROWS = 10_000;
/** The largest import body, in bytes. */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/** A row that becomes a request. */
export interface ImportRow {
  /** The 1-based line of the file the row starts on (the header is line 1). */
  line: number;
  phone: E164;
  action: ConsentAction;
  /** Trimmed and in NFC, as the API stores a reason; otherwise exactly as written. */
  reason: string;
}

/** A row that does not, and why, in the service's words (the column's name first). */
export interface InvalidRow {
  line: number;
  message: string;
}

export interface ImportRows {
  /** Rows after the header, blank ones not counted. */
  rows: number;
  valid: ImportRow[];
  invalid: InvalidRow[];
}

const reasonSchema = onFirstUse(() => humanText(REASON_MAX_LENGTH));

/**
 * The rows of an import file (`phone,action,reason`), each valid or invalid on its own: a number as the
 * API reads one (any international form), `block` or `unblock`, and a reason of 1 to 500 characters.
 * Every value is text: a cell that a spreadsheet would take for a formula (`=1+1`) is a reason like any
 * other, stored as written. A row identical (number, action and reason) to the previous row of the same
 * number is invalid, naming the line it repeats: `block, unblock, block` of one number are three
 * decisions, and the number ends blocked. Rows whose cells are all blank are skipped.
 *
 * Only the file as a whole is refused (an {@link InvalidInputError}): not CSV, not UTF-8, without the
 * header, or with more than {@link MAX_IMPORT_ROWS} rows.
 */
export function readImportRows(bytes: Uint8Array): ImportRows {
  const [header, ...records] = readRecords(bytes);
  if (!header) throw fileError('body', `must be a CSV file whose first line is the header ${IMPORT_COLUMNS.join(',')}`);
  if (!hasImportHeader(header.fields)) {
    throw fileError(`body.line.${header.line}`, `must be the header ${IMPORT_COLUMNS.join(',')} (further columns may follow)`);
  }
  const rows = records.filter((record) => record.fields.some((field) => field.trim() !== ''));
  if (rows.length > MAX_IMPORT_ROWS) {
    throw fileError('body', `must have at most ${MAX_IMPORT_ROWS.toLocaleString('en')} rows after the header; it has ${rows.length.toLocaleString('en')}`);
  }

  const valid: ImportRow[] = [];
  const invalid: InvalidRow[] = [];
  const previousOf = new Map<E164, ImportRow>();
  for (const record of rows) {
    const row = rowOf(record);
    if ('message' in row) {
      invalid.push(row);
      continue;
    }
    const previous = previousOf.get(row.phone);
    if (previous && previous.action === row.action && previous.reason === row.reason) {
      invalid.push({ line: row.line, message: `repeats line ${previous.line} (the same phone, action and reason)` });
    } else {
      previousOf.set(row.phone, row);
      valid.push(row);
    }
  }
  return { rows: rows.length, valid, invalid };
}

/** Whether a header row starts with the import's columns (in any case, with spaces around them). */
export function hasImportHeader(fields: readonly string[]): boolean {
  return IMPORT_COLUMNS.every((column, index) => fields[index]?.trim().toLowerCase() === column);
}

function readRecords(bytes: Uint8Array): CsvRecord[] {
  try {
    return readCsv(bytes);
  } catch (error) {
    if (!(error instanceof CsvFileError)) throw error;
    throw fileError(error.line === undefined ? 'body' : `body.line.${error.line}`, error.message);
  }
}

function fileError(field: string, message: string): InvalidInputError {
  return new InvalidInputError([{ field, message }], 'The file cannot be imported; see errors.');
}

/** A record as a row, or every problem it has, each worded after its column. */
function rowOf({ fields, line }: CsvRecord): ImportRow | InvalidRow {
  const [phoneText, actionText, reasonText] = fields;
  const problems: string[] = [];
  const phone = phoneText === undefined || phoneText.trim() === '' ? undefined : normalisePhone(phoneText);
  if (!phone) problems.push('phone is required');
  else if (!phone.ok) problems.push(`phone ${phone.reason}`);
  const action = actionSchema().safeParse(actionText?.trim().toLowerCase());
  if (!action.success) problems.push(actionText === undefined || actionText.trim() === '' ? 'action is required' : 'action must be block or unblock');
  const reason = reasonText === undefined ? undefined : reasonSchema().safeParse(reasonText);
  if (!reason) problems.push('reason is required');
  else if (!reason.success) problems.push(`reason ${reason.error.issues[0]?.message ?? 'is not valid'}`);

  if (problems.length > 0 || !phone?.ok || !action.success || !reason?.success) return { line, message: problems.join('; ') };
  return { line, phone: phone.phone, action: action.data, reason: reason.data };
}

