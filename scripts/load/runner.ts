import { setTimeout as sleep } from 'node:timers/promises';
import type { RouteName } from './mix.js';
import type { LoadRequest } from './workload.js';

/** How one planned request ended. `status` is the HTTP status, or why no answer came. */
export interface Outcome {
  route: RouteName;
  status: number | 'network' | 'timeout' | 'cut at deadline' | 'not sent';
  ok: boolean;
  /** From the call to the end of the answer's body, for answers that came. */
  ms?: number;
}

export interface RunOptions {
  url: URL;
  token: string;
  /** The route of each request, in the order they are sent. */
  order: RouteName[];
  seconds: number;
  concurrency: number;
  /** The request to send next for a route; called in send order, just before it goes out. */
  build: (route: RouteName) => LoadRequest;
  expect: (route: RouteName) => number;
  /** Sees each answer that came with the expected status, with its parsed JSON body. */
  onAnswer?: (route: RouteName, body: unknown, at: number) => void;
  onProgress?: (progress: Progress) => void;
  /** How long one request may take. */
  timeoutMs?: number;
  /** How long after the planned end requests may still be sent or answered. */
  graceMs?: number;
}

export interface Progress {
  planned: number;
  sent: number;
  done: number;
  errors: number;
  inFlight: number;
  elapsedMs: number;
}

export interface RunResult {
  outcomes: Outcome[];
  /** From the first request sent to the last answer (or the deadline). */
  elapsedMs: number;
  /** How far behind its tick the latest request went out: more than a few ms means the concurrency or the client held it back. */
  maxLagMs: number;
  /** Whether the run stopped at its deadline rather than at its count. */
  stoppedAtDeadline: boolean;
}

export const REQUEST_TIMEOUT_MS = 10_000;
export const GRACE_MS = 15_000;

/**
 * Sends the planned requests at a steady rate (request `i` at `i * seconds / count`), never more than
 * `concurrency` at once: a request whose tick comes while all slots are busy waits for one. The run is
 * bounded twice: it ends after its count, and at the planned end plus a grace whatever happens; then
 * requests still unsent are `not sent`, and those in flight are aborted (`cut at deadline`). Those, a
 * request that took longer than its timeout (`timeout`) and a failed connection (`network`) are errors.
 * Uses Node's own fetch, which keeps connections alive; every body is read, so connections are reused.
 */
export async function runLoad(options: RunOptions): Promise<RunResult> {
  const { order, concurrency, url, token } = options;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const intervalMs = (options.seconds * 1000) / order.length;
  const start = performance.now();
  const deadline = start + options.seconds * 1000 + (options.graceMs ?? GRACE_MS);
  const stop = new AbortController();
  const stopTimer = setTimeout(() => stop.abort(), deadline - start);

  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let errors = 0;
  let maxLagMs = 0;
  const progress = () =>
    options.onProgress?.({ planned: order.length, sent, done: outcomes.length, errors, inFlight: inFlight.size, elapsedMs: performance.now() - start });
  const record = (outcome: Outcome) => {
    outcomes.push(outcome);
    if (!outcome.ok) errors += 1;
  };

  async function send(route: RouteName, request: LoadRequest): Promise<void> {
    const began = performance.now();
    try {
      const response = await fetch(new URL(request.path, url), {
        method: request.method,
        headers: { accept: 'application/json', ...(request.anonymous ? {} : { authorization: `Bearer ${token}` }), ...request.headers },
        ...(request.body === undefined ? {} : { body: request.body }),
        redirect: 'manual',
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const text = await response.text();
      const ended = performance.now();
      const ok = response.status === options.expect(route);
      record({ route, status: response.status, ok, ms: ended - began });
      if (ok && options.onAnswer) options.onAnswer(route, parseJson(text), ended);
    } catch (error) {
      const name = (error as Error).name;
      const status = stop.signal.aborted ? 'cut at deadline' : name === 'AbortError' || name === 'TimeoutError' ? 'timeout' : 'network';
      record({ route, status, ok: false });
    }
  }

  // Also while nothing ends, so that a stalled stack shows.
  const ticker = setInterval(progress, 1000);
  let next = 0;
  for (; next < order.length; next++) {
    const tick = start + next * intervalMs;
    if (tick >= deadline) break;
    const wait = tick - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= concurrency && performance.now() < deadline) {
      const cancel = new AbortController();
      await Promise.race([...inFlight, sleep(Math.max(0, deadline - performance.now()), undefined, { signal: cancel.signal }).catch(() => undefined)]);
      cancel.abort();
    }
    if (performance.now() >= deadline) break;
    maxLagMs = Math.max(maxLagMs, performance.now() - tick);
    const route = order[next]!;
    const request = options.build(route);
    const call = send(route, request).finally(() => {
      inFlight.delete(call);
      progress();
    });
    inFlight.add(call);
    sent += 1;
  }
  for (let i = next; i < order.length; i++) record({ route: order[i]!, status: 'not sent', ok: false });
  await Promise.all(inFlight);
  clearTimeout(stopTimer);
  clearInterval(ticker);
  const elapsedMs = performance.now() - start;
  progress();
  return { outcomes, elapsedMs, maxLagMs, stoppedAtDeadline: next < order.length || stop.signal.aborted };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
