import { performance } from 'node:perf_hooks';

/** The wall-clock time `work` took, in milliseconds, and what it returned. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/**
 * The wall-clock time `work` took and the CPU time this whole process spent meanwhile (user and system,
 * in milliseconds): with work of its own in flight, a process's CPU is the only share that can be told apart.
 */
export async function timedWithCpu<T>(work: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const { ms, value } = await timed(work);
  const { user, system } = process.cpuUsage(cpu);
  return { ms, cpuMs: (user + system) / 1000, value };
}

/**
 * The two sides of a comparison in the order they run in round `round`: which goes first alternates, so
 * that whatever the rest of the machine does hits both alike.
 */
export function inTurn<T>(round: number, first: T, second: T): [T, T] {
  return round % 2 === 0 ? [first, second] : [second, first];
}
