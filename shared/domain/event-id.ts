import { createHash } from 'node:crypto';

/**
 * An event's id, derived from what the signal says: the same signal, delivered again, gives the same id,
 * so the queue and the processor record it once. A status is named by its message id and status.
 */
export function eventIdFrom(...parts: string[]): string {
  return `wa-${createHash('sha256').update(parts.join('\n')).digest('base64url')}`;
}
