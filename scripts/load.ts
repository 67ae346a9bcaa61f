/**
 * `npm run load`: a bounded load run against the local stack (`npm start`). It seeds profiles of its own
 * through the API, then sends a fixed number of requests over a fixed time at a steady rate, with at most
 * a given number in flight: profile reads, blocks and unblocks (each with an `Idempotency-Key` and a
 * reason), blocklist checks of 100 to 1000 numbers, and signed webhook callbacks (`delivered`, `read`,
 * and `failed` with 131026, which blocks the number). It shows a progress line, then a table per route
 * (requests, throughput, p50 and p99, errors by status) and one JSON line `{"load":…}` with the same
 * figures, and waits (bounded) until the blocks and unblocks it made are applied.
 *
 *   npm run load [-- --requests 3000 --seconds 60 --concurrency 32 --settle-seconds 60 --url http://127.0.0.1:3000]
 *
 * An error is an answer with another status than the route's (200, or 202 for blocks and unblocks), a
 * network failure, a request that timed out (10 s), or one not sent or not answered by the deadline (the
 * planned end plus 15 s). Loopback only.
 */
import { ROUTES, routeOrder, type RouteName } from './load/mix.js';
import { parseLoadOptions, UsageError, USAGE, type LoadOptions } from './load/options.js';
import { progressLine } from './load/progress.js';
import { summarise, table } from './load/report.js';
import { GRACE_MS, runLoad } from './load/runner.js';
import { waitUntilApplied, type Settled } from './load/settle.js';
import { connect, TargetError, type Target } from './load/target.js';
import { workload, type Workload } from './load/workload.js';

const EXIT = { ok: 0, errors: 1, usage: 2, target: 3 } as const;

let options: LoadOptions | 'help';
try {
  options = parseLoadOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`load: ${error.message}\n\n${USAGE}`);
  process.exit(EXIT.usage);
}
if (options === 'help') {
  process.stdout.write(USAGE);
  process.exit(EXIT.ok);
}
const { url, requests, seconds, concurrency, settleSeconds } = options;

let target: Target;
let work: Workload;
try {
  target = await connect(url);
  work = workload({ requests, appSecret: target.appSecret });
  await seed(target, work);
  await probeSignature(target, work);
} catch (error) {
  if (!(error instanceof TargetError)) throw error;
  process.stderr.write(`load: ${error.message}\n`);
  process.exit(EXIT.target);
}

const order = routeOrder(requests);
process.stderr.write(
  `load: ${requests} requests over ${seconds} s (${(requests / seconds).toFixed(1)} req/s), at most ${concurrency} in flight, ` +
    `against ${url.origin}; run ${work.runId}, on ${work.profiles.length} profiles holding ${work.numbers} numbers\n`,
);

const changeRequestIds: string[] = [];
let lastAcceptedAt = 0;
const webhook = { callbacks: 0, statuses: 0, enqueued: 0 };
const progress = progressLine(process.stderr, requests);
const run = await runLoad({
  url,
  token: target.token,
  order,
  seconds,
  concurrency,
  build: (route) => work.next(route),
  expect: (route) => ROUTES[route].expect,
  onAnswer(route: RouteName, body: any, at: number) {
    if ((route === 'block' || route === 'unblock') && typeof body?.requestId === 'string') {
      changeRequestIds.push(body.requestId);
      lastAcceptedAt = Math.max(lastAcceptedAt, at);
    }
    if (route === 'webhook') {
      webhook.callbacks += 1;
      webhook.statuses += Number(body?.statuses ?? 0);
      webhook.enqueued += Number(body?.enqueued ?? 0);
    }
  },
  onProgress: (state) => progress.update(state),
});
progress.stop();

const figures = summarise(run.outcomes, run.elapsedMs);
process.stdout.write(`\n${table(figures)}\n\n`);
process.stdout.write(
  `${figures.total.requests} requests in ${(run.elapsedMs / 1000).toFixed(1)} s: ${figures.total.throughput.toFixed(1)} answers/s, ` +
    `${figures.total.errors} errors; sends at most ${run.maxLagMs.toFixed(1)} ms behind schedule` +
    `${run.stoppedAtDeadline ? `; stopped at the deadline (${seconds} s + ${GRACE_MS / 1000} s grace)` : ''}\n` +
    `webhook: ${webhook.callbacks} callbacks, ${webhook.enqueued} failures enqueued as automatic blocks\n`,
);
if (run.stoppedAtDeadline || run.maxLagMs > 1000) {
  process.stdout.write(
    `The stack did not keep up with ${(requests / seconds).toFixed(1)} req/s: with ${concurrency} requests in flight, sends fell up to ` +
      `${(run.maxLagMs / 1000).toFixed(1)} s behind (latencies are counted from each send, so they do not include that wait). ` +
      `Fewer --requests or more --seconds give a rate it can take.\n`,
  );
}

let settle: Settled | null = null;
if (settleSeconds > 0 && changeRequestIds.length > 0) {
  process.stderr.write(`load: waiting up to ${settleSeconds} s for the ${changeRequestIds.length} blocks and unblocks to be applied\n`);
  settle = await waitUntilApplied({ url, token: target.token, requestIds: changeRequestIds, lastAcceptedAt, seconds: settleSeconds });
  const { statuses } = settle;
  process.stdout.write(
    `${settle.settled ? `all ${settle.requests} blocks and unblocks ended ${(settle.settledAfterMs! / 1000).toFixed(1)} s after the last was accepted` : `not all ${settle.requests} blocks and unblocks ended within ${settleSeconds} s`}: ` +
      `${statuses.applied} applied, ${statuses.unchanged} unchanged, ${statuses.superseded} superseded, ${statuses.failed} failed, ${statuses.pending} pending` +
      `${statuses.unknown ? `, ${statuses.unknown} unknown` : ''}\n`,
  );
}

process.stdout.write(
  `${JSON.stringify({
    load: {
      url: url.origin,
      runId: work.runId,
      requests,
      seconds,
      concurrency,
      elapsedSeconds: Number((run.elapsedMs / 1000).toFixed(2)),
      throughput: figures.total.throughput,
      errors: figures.total.errors,
      maxLagMs: Number(run.maxLagMs.toFixed(1)),
      stoppedAtDeadline: run.stoppedAtDeadline,
      routes: figures.routes,
      total: figures.total,
      webhook,
      settle,
    },
  })}\n`,
);

const settleFailed = settle !== null && (!settle.settled || settle.statuses.failed > 0 || settle.statuses.unknown > 0);
process.exitCode = figures.total.errors > 0 || settleFailed ? EXIT.errors : EXIT.ok;

/** Creates the run's profiles through the API, a few at a time, as a profile admin. */
async function seed(target: Target, work: Workload): Promise<void> {
  const queue = [...work.profiles];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let profile = queue.shift(); profile; profile = queue.shift()) {
        const response = await call(target, {
          method: 'PUT',
          path: `/profiles/${profile.profileId}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ whatsappNumbers: profile.numbers }),
        });
        if (response.status !== 200) throw new TargetError(`Seeding profile ${profile.profileId} failed: ${response.status} ${response.text.slice(0, 300)}`);
      }
    }),
  );
}

/** One signed `delivered` callback: a stack with another app secret refuses it, and the run stops here. */
async function probeSignature(target: Target, work: Workload): Promise<void> {
  const response = await call(target, work.probeCallback());
  if (response.status === 401) {
    throw new TargetError(
      `${target.url.origin} refuses this run's webhook signature: it has another app secret. Set WHATSAPP_APP_SECRET to the one \`npm start\` was given.`,
    );
  }
  if (response.status !== 200) throw new TargetError(`The webhook answers ${response.status}: ${response.text.slice(0, 300)}`);
}

async function call(target: Target, request: { method: string; path: string; headers: Record<string, string>; body?: string; anonymous?: boolean }) {
  const response = await fetch(new URL(request.path, target.url), {
    method: request.method,
    headers: { accept: 'application/json', ...(request.anonymous ? {} : { authorization: `Bearer ${target.token}` }), ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    throw new TargetError(`${request.method} ${request.path} failed: ${(error as Error).message}`);
  });
  return { status: response.status, text: await response.text() };
}
