import { LOCAL_WHATSAPP_APP_SECRET } from '../../infra/local/stack.js';
import { freePort } from '../../infra/local/free-port.js';
import { ROUTE_NAMES, ROUTES, routeCounts } from '../../scripts/load/mix.js';
import { stack } from '../support/http-client.js';
import { runScript } from '../support/script-run.js';

/*
 * `npm run load`, black-box against the suite's local stack: a short run with few requests sends every
 * route, gets the expected answer to each, and reports the figures as a table and as one JSON line.
 */

/** Runs the load script as `npm run load` does. */
const load = (args: string[], timeoutMs = 120_000) =>
  // The suite's stack signs with the local app secret, whatever this shell says.
  runScript('scripts/load.ts', args, { timeoutMs, env: { ...process.env, WHATSAPP_APP_SECRET: LOCAL_WHATSAPP_APP_SECRET } });

describe('npm run load', () => {
  it('sends a bounded mix of every route to the local stack, answered as expected, and reports each route', async () => {
    const requests = 120;
    const run = await load(['--url', stack.url, '--requests', String(requests), '--seconds', '6', '--concurrency', '8', '--settle-seconds', '60']);
    const output = `exit ${run.code}\n${run.stdout}\n${run.stderr}`;

    const jsonLines = run.stdout.split('\n').filter((line) => line.startsWith('{"load":'));
    if (jsonLines.length !== 1) throw new Error(`expected one JSON line:\n${output}`);
    const { load: figures } = JSON.parse(jsonLines[0]!);
    if (run.code !== 0 || figures.errors !== 0) throw new Error(`the run had errors:\n${output}`);

    expect(figures).toMatchObject({ url: stack.url, requests, seconds: 6, concurrency: 8, errors: 0, stoppedAtDeadline: false });
    expect(figures.total).toMatchObject({ requests, ok: requests, errors: 0, errorsByStatus: {} });
    const expected = routeCounts(requests);
    expect(Object.keys(figures.routes).sort()).toEqual([...ROUTE_NAMES].sort());
    for (const name of ROUTE_NAMES) {
      expect(expected[name]).toBeGreaterThan(0);
      expect(figures.routes[name]).toEqual({
        route: ROUTES[name].label,
        requests: expected[name],
        ok: expected[name],
        throughput: expect.any(Number),
        p50: expect.any(Number),
        p99: expect.any(Number),
        max: expect.any(Number),
        errors: 0,
        errorsByStatus: {},
      });
      expect(figures.routes[name].p50).toBeLessThanOrEqual(figures.routes[name].p99);
      expect(figures.routes[name].p99).toBeLessThanOrEqual(figures.routes[name].max);
      // The table has the route's row.
      expect(run.stdout).toMatch(new RegExp(`^${ROUTES[name].label.replace(/[{}/]/g, '\\$&')}\\s+${expected[name]}\\s+${expected[name]}\\s`, 'm'));
    }
    expect(run.stdout).toMatch(new RegExp(`^total\\s+${requests}\\s+${requests}\\s`, 'm'));

    // Every third callback is a 131026 failure, each enqueued as an automatic block.
    expect(figures.webhook).toEqual({ callbacks: expected.webhook, statuses: expected.webhook, enqueued: Math.ceil(expected.webhook / 3) });
    // Every block and unblock it made was applied (or found its number so already, or lost to a failure).
    expect(figures.settle).toMatchObject({ requests: expected.block + expected.unblock, settled: true, statuses: { pending: 0, failed: 0, unknown: 0 } });
    // Not a terminal: the progress comes as plain lines.
    expect(run.stderr).toMatch(new RegExp(`^load: [\\d.]+s, sent \\d+/${requests}, done \\d+, in flight \\d+, errors 0`, 'm'));
  }, 150_000);

  it('refuses a target that is not on the loopback interface, and says to start the stack when none runs', async () => {
    const [remote, none] = await Promise.all([
      load(['--url', 'http://192.0.2.1:3000', '--requests', '10', '--seconds', '1'], 30_000),
      freePort().then((port) => load(['--url', `http://127.0.0.1:${port}`, '--requests', '10', '--seconds', '1'], 30_000)),
    ]);
    expect(remote).toMatchObject({ code: 3, stdout: '' });
    expect(remote.stderr).toContain('is not a loopback address');
    expect(none).toMatchObject({ code: 3, stdout: '' });
    expect(none.stderr).toContain('npm start');
  }, 60_000);

  it('refuses options out of their bounds', async () => {
    const run = await load(['--url', stack.url, '--requests', '100000'], 30_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--requests must be from 1 to 20000');
  }, 30_000);
});
