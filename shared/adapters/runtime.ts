import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Clock } from '../domain/ports.js';

export const systemClock: Clock = { now: () => new Date() };

/**
 * Random bytes for ULIDs from a pool refilled by the operating system's generator. ulid's own source
 * asks webcrypto for one byte per character of every id, which costs a tenth of a millisecond per id.
 */
const pool = new Uint8Array(4096);
let taken = pool.length;
function pooledRandom(): number {
  if (taken === pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  return (pool[taken++] ?? 0) / 256;
}

/** ULIDs sort by creation time, so request ids and audit keys order themselves. */
export const newId: () => string = monotonicFactory(pooledRandom);
