import { loadavg } from 'node:os';

/** What a benchmark prints: lines for people around a table, then one JSON line for machines. */
export interface Report {
  heading: readonly string[];
  table: readonly object[];
  notes?: readonly string[];
  /** The last line, as JSON; `bench` names the benchmark. */
  summary: { bench: string } & Record<string, unknown>;
}

/** Prints a benchmark's report; the JSON line comes last, so that a script can take the last line. */
export function printReport({ heading, table, notes = [], summary }: Report): void {
  for (const line of heading) console.log(line);
  console.table(table);
  for (const line of notes) console.log(line);
  console.log(JSON.stringify(summary));
}

/** This process's resident memory, in MiB. */
export const rssMb = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);

/**
 * The machine's one-minute load average when called and later: figures taken on a busy machine say so.
 */
export function loadAverage(): { before: number; now(): number; note(): string } {
  const before = loadavg()[0]!;
  const now = () => loadavg()[0]!;
  return { before, now, note: () => `load average ${before.toFixed(2)} before, ${now().toFixed(2)} after` };
}
