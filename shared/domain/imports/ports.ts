import type { UserActor } from '../consent-event.js';
import type { E164 } from '../phone.js';
import type { InvalidRow } from './import-rows.js';

/** A row that became a request: where it is in the file, its number, and its place in the number's order. */
export interface PlannedRow {
  line: number;
  phone: E164;
  sequence: number;
}

/**
 * A blocklist import as recorded before any of its requests: everything that makes the requests the same
 * on every attempt to write them (their ids follow from the import's id and the lines).
 */
export interface BlocklistImport {
  importId: string;
  requestedBy: UserActor;
  /** When the import was accepted, after its sequences were taken: every row's `requestedAt`. */
  requestedAt: string;
  /** Rows after the header, blank ones not counted. */
  rows: number;
  /** The rows that became requests, in line order. */
  accepted: PlannedRow[];
  invalid: InvalidRow[];
  /** What makes two uploads "the same body" for an `Idempotency-Key`. */
  bodyHash: string;
}

/**
 * The holder of a caller's `Idempotency-Key`. Keys are one namespace per caller, shared with the API's
 * single requests, so a key that holds a request holds no import (`importId` absent) and vice versa.
 */
export interface ImportKeyRecord {
  importId: string | undefined;
  bodyHash: string;
}

export type CreateImportResult = { created: true } | { created: false; existing: ImportKeyRecord };

export interface ImportStore {
  /**
   * Records an import, and the caller's key with it when one is given, atomically. When the key is taken
   * already, nothing is written and the key's holder is answered.
   */
  create(record: BlocklistImport, idempotency?: { callerSub: string; key: string; bodyHash: string }): Promise<CreateImportResult>;
  /** Strongly consistent. */
  get(importId: string): Promise<BlocklistImport | undefined>;
  findIdempotencyRecord(callerSub: string, key: string): Promise<ImportKeyRecord | undefined>;
}
