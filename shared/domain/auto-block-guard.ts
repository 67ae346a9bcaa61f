/**
 * The auto-block guard (`AUTO_BLOCK_GUARD_LIMIT`, `AUTO_BLOCK_GUARD_WINDOW_SECONDS`): a provider outage can
 * report many valid numbers as undeliverable at once, so one sender may block at most `limit` numbers
 * automatically in any window; the rest are held for an editor to release or discard.
 *
 * The window slides in steps: it is cut into {@link GUARD_BUCKETS} fixed buckets, and the count of a
 * window is the sum of its last buckets. A counter per bucket can be raised atomically with a condition
 * on the limit, which keeps the count exact however many processors apply blocks at once.
 */
export interface GuardSettings {
  /** Automatic blocks one sender may apply in a window; `0` turns the guard off. */
  limit: number;
  windowSeconds: number;
}

export const GUARD_BUCKETS = 10;

/** The bucket a moment falls in, and the buckets of the window that ends with it, newest first. */
export interface GuardWindow {
  current: number;
  earlier: number[];
}

export function guardWindowAt(nowMs: number, settings: GuardSettings): GuardWindow {
  const bucketMs = bucketSecondsOf(settings) * 1000;
  const current = Math.floor(nowMs / bucketMs);
  return { current, earlier: Array.from({ length: GUARD_BUCKETS - 1 }, (_, index) => current - index - 1) };
}

/** How long a bucket lasts: the window cut in {@link GUARD_BUCKETS}, in whole seconds. */
export function bucketSecondsOf(settings: GuardSettings): number {
  return Math.max(1, Math.ceil(settings.windowSeconds / GUARD_BUCKETS));
}

/** How many more automatic blocks the window allows, given the counts of its buckets (missing is 0). */
export function roomIn(window: GuardWindow, counts: ReadonlyMap<number, number>, settings: GuardSettings): number {
  const used = [window.current, ...window.earlier].reduce((sum, bucket) => sum + (counts.get(bucket) ?? 0), 0);
  return Math.max(0, settings.limit - used);
}

export function guardIsOn(settings: GuardSettings): boolean {
  return settings.limit > 0;
}
