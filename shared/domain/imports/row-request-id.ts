import { createHash } from 'node:crypto';

/** Crockford's base 32, the alphabet of ULIDs. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID: 10 characters of time, 16 of randomness. */
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;

/**
 * The request id of an import's row: a ULID with the import's time and, in place of randomness, 80 bits
 * of a hash of the import's id and the row's line. An import that is recorded again after an interruption
 * (the same `Idempotency-Key`) thus writes the same requests, which exist already, instead of new ones;
 * and the request ids look and sort like every other request's.
 */
export function rowRequestId(importId: string, line: number): string {
  const digest = createHash('sha256').update(`${importId}#${line}`).digest();
  let random = '';
  // 16 characters of 5 bits each, read from the first 80 bits of the digest.
  for (let index = 0; index < RANDOM_LENGTH; index++) {
    const bit = index * 5;
    const pair = ((digest[bit >> 3] ?? 0) << 8) | (digest[(bit >> 3) + 1] ?? 0);
    random += CROCKFORD[(pair >> (11 - (bit & 7))) & 31];
  }
  return importId.slice(0, TIME_LENGTH) + random;
}
