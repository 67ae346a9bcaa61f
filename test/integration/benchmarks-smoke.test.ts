import { runScript, type Finished } from '../support/script-run.js';

/*
 * Every benchmark, run as `npm run bench -- <name> --smoke` does: a workload small enough for a test,
 * with every step and every check of the real run (each bench starts its own DynamoDB Local, and the
 * processor and API benches their own processes), so a bench that no longer works fails here rather
 * than on the day someone needs its figures. The figures of a smoke run mean nothing and are not read.
 */

/** Runs a bench in smoke mode as `npm run bench -- <name> --smoke` does. */
function smokeRun(name: string, timeoutMs = 240_000): Promise<Finished> {
  // A bench talks to the emulators it starts, never to those of the suite or to LocalStack.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_ENDPOINT_URL')));
  return runScript('bench/run.ts', [name, '--smoke'], { timeoutMs, env });
}

/** The bench's last line, the one for machines, parsed; fails with the whole output when there is none. */
function summaryOf(name: string, run: Finished): Record<string, unknown> {
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  const output = `exit ${run.code}\n${run.stdout}\n${run.stderr}`;
  if (run.code !== 0 || !last.startsWith(`{"bench":"${name}"`)) throw new Error(`npm run bench -- ${name} --smoke failed:\n${output}`);
  return JSON.parse(last) as Record<string, unknown>;
}

/** A bench's own emulator and processes take a while to start on a busy machine. */
const BENCH_TIMEOUT_MS = 240_000;

describe('npm run bench -- <name> --smoke', () => {
  it('runs the webhook bench', async () => {
    expect(summaryOf('webhook', await smokeRun('webhook'))).toMatchObject({ bench: 'webhook', rounds: 20, msPerSingleFailure: expect.any(Number) });
  }, BENCH_TIMEOUT_MS);

  it('runs the check bench, whose answers agree with the raw calls', async () => {
    expect(summaryOf('check', await smokeRun('check'))).toMatchObject({ bench: 'check', numbers: 300, libraryMs: expect.any(Number), rawMs: expect.any(Number) });
  }, BENCH_TIMEOUT_MS);

  it('runs the processor bench, whose every pass did what its events must do', async () => {
    expect(summaryOf('processor', await smokeRun('processor'))).toMatchObject({ bench: 'processor', numbers: 24, rounds: 1, ratioToRaw: expect.any(Number) });
  }, BENCH_TIMEOUT_MS);

  it('runs the API bench, whose every request answered 202', async () => {
    expect(summaryOf('api', await smokeRun('api'))).toMatchObject({ bench: 'api', overheadP50: expect.any(Number) });
  }, BENCH_TIMEOUT_MS);
});
