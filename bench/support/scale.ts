/**
 * `npm run bench -- <name> --smoke` runs a bench on a workload small enough for a test (`BENCH_SMOKE`,
 * which the bench's own processes inherit): every step runs and every check is made, so a bench that
 * no longer works fails `npm test`, but its figures mean nothing.
 */
export const SMOKE = process.env['BENCH_SMOKE'] === 'true';

/** A workload's size: `full` for a measurement, `smoke` for a smoke run. */
export const scaled = (full: number, smoke: number): number => (SMOKE ? smoke : full);
