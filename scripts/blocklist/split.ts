import { readCsv } from '../../shared/domain/imports/csv.js';
import { hasImportHeader, IMPORT_COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../shared/domain/imports/import-rows.js';

/** One upload of a file: the file's header and a run of its rows, byte for byte as the file has them. */
export interface Upload {
  index: number;
  body: Uint8Array;
  /** Rows in the upload, blank ones not counted (as the service counts them). */
  rows: number;
  /** What to add to a line of the upload to get the line of the file. */
  lineOffset: number;
  /** The file's lines of the upload's first and last row. */
  firstLine: number;
  lastLine: number;
}

/** A file the command cannot split: not CSV, not an import, or a row larger than an upload may be. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/**
 * Splits an import file into uploads the service takes (at most 10,000 rows and 1 MiB each), at the
 * boundaries of records as csv-parse reads them, so that a quoted cell over several lines stays whole.
 * Each upload is the file's own bytes: its header (and anything before it), then a run of rows; the same
 * file always splits the same way, so an upload's bytes, and the key derived from them, are the same on
 * every run.
 */
export function splitImportFile(bytes: Uint8Array, limits = { rows: MAX_IMPORT_ROWS, bytes: MAX_IMPORT_BYTES }): Upload[] {
  let records;
  try {
    records = readCsv(bytes);
  } catch (error) {
    const line = (error as { line?: number }).line;
    throw new ImportFileError(`${line === undefined ? 'The file' : `Line ${line}`} ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header || !hasImportHeader(header.fields)) {
    throw new ImportFileError(`Line ${header?.line ?? 1} must be the header ${IMPORT_COLUMNS.join(',')} (further columns may follow)`);
  }
  const head = bytes.subarray(0, header.end);
  const uploads: Upload[] = [];
  let first = 0;
  while (first < rows.length || uploads.length === 0) {
    const start = first === 0 ? header.end : (rows[first - 1]?.end ?? header.end);
    const startLine = first === 0 ? header.nextLine : (rows[first - 1]?.nextLine ?? header.nextLine);
    let counted = 0;
    let last = first;
    for (; last < rows.length; last++) {
      const row = rows[last]!;
      const blank = row.fields.every((field) => field.trim() === '');
      if (head.length + (row.end - start) > limits.bytes || (!blank && counted === limits.rows)) break;
      if (!blank) counted++;
    }
    if (last === first && first < rows.length) throw new ImportFileError(`Line ${rows[first]?.line} is a row larger than an upload may be (${limits.bytes} bytes with the header)`);
    const end = last === first ? header.end : rows[last - 1]!.end;
    uploads.push({
      index: uploads.length,
      body: concat(head, bytes.subarray(start, end)),
      rows: counted,
      lineOffset: startLine - header.nextLine,
      firstLine: rows[first]?.line ?? header.line,
      lastLine: rows[last - 1]?.line ?? header.line,
    });
    first = last;
  }
  return uploads;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
