/*
 * The few statistics the benchmarks, `npm run size` and `npm run load` report, in one place so that
 * every figure they print means the same thing.
 */

/** The middle value (the upper one of an even count); NaN without values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * The nearest-rank percentile of samples in ascending order: the smallest sample that at least
 * `fraction` (0 to 1) of the samples do not exceed. Exact, no interpolation; undefined without samples.
 */
export function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Rounded to one decimal, and to two. */
export const round1 = (value: number) => Math.round(value * 10) / 10;
export const round2 = (value: number) => Math.round(value * 100) / 100;
