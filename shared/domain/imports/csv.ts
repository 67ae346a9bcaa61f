import { CsvError, parse } from 'csv-parse/sync';
import { utf8Text } from '../text.js';

/** One record of a CSV file, where it stands in the file. */
export interface CsvRecord {
  /** The fields as written, without their quotes (a doubled quote is one quote); nothing is trimmed. */
  fields: string[];
  /** The 1-based line the record starts on; a quoted field may carry it over several lines. */
  line: number;
  /** The byte offset just past the record's line break (or the end of the file). */
  end: number;
  /** The line on which whatever follows the record begins. */
  nextLine: number;
}

/** A file that is not CSV, or not UTF-8: `line` is where the record that could not be read starts. */
export class CsvFileError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = 'CsvFileError';
  }
}

/** `\r\n`, `\n` and a lone `\r` each end a line, in the records and in the count of lines alike. */
const LINE_BREAKS = ['\r\n', '\n', '\r'];
const CR = 0x0d;
const LF = 0x0a;

/**
 * Reads a CSV file (RFC 4180, as spreadsheets write it) with csv-parse: UTF-8 with or without a byte
 * order mark, records of any length, fields quoted or not, line breaks inside quoted fields. Empty lines
 * are skipped. Each record says on which line it starts, counted here rather than taken from csv-parse,
 * which counts a `\r\n` inside a quoted field as two lines.
 *
 * A body that is not UTF-8, or whose quotes do not balance, is a {@link CsvFileError} naming the line
 * where the record that could not be read starts (an unclosed quote is usually there, not where the
 * parser gave up).
 */
export function readCsv(bytes: Uint8Array): CsvRecord[] {
  if (utf8Text(bytes) === undefined) throw new CsvFileError('must be UTF-8 text', undefined);
  const lines = new LineCounter(bytes);
  const records: CsvRecord[] = [];
  try {
    parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: LINE_BREAKS,
      on_record: (fields: string[], context) => {
        const line = lines.startOfRecordAfter(records.at(-1)?.end ?? 0);
        records.push({ fields, line, end: context.bytes, nextLine: lines.lineAt(context.bytes) });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = lines.startOfRecordAfter(records.at(-1)?.end ?? 0);
    throw new CsvFileError(messageOf(error), line);
  }
  return records;
}

function messageOf(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'opens a quoted field that is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'has a quote inside a field that is not quoted as a whole (write the field in quotes and double its quotes: "say ""stop""")';
    default:
      return `is not valid CSV (${error.code})`;
  }
}

/** Line numbers of byte offsets, asked for in increasing order: one pass over the bytes in all. */
class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly bytes: Uint8Array) {}

  /** The line of the byte at `offset`. */
  lineAt(offset: number): number {
    for (; this.offset < offset; this.offset++) {
      const byte = this.bytes[this.offset];
      // `\r\n` is one break, counted at its `\n`.
      if (byte === LF || (byte === CR && this.bytes[this.offset + 1] !== LF)) this.line++;
    }
    return this.line;
  }

  /** The line where the next record starts after `offset`, past the empty lines that csv-parse skips. */
  startOfRecordAfter(offset: number): number {
    let start = offset;
    while (this.bytes[start] === CR || this.bytes[start] === LF) start++;
    return this.lineAt(start);
  }
}
