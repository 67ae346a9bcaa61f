import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';

/** The three kinds of fault, in equal parts. */
export type FaultKind = 'before' | 'after' | 'delay';

export interface FaultCounts {
  calls: number;
  before: number;
  after: number;
  delay: number;
}

export interface FaultInjector {
  /** What has been injected so far. */
  counts(): FaultCounts;
}

/** An AWS SDK v3 client, as far as a middleware is concerned (every service's client has this shape). */
interface SdkClient {
  middlewareStack: Pick<MiddlewareStack<any, any>, 'add'>;
}

/**
 * `LOCAL_FAULT_RATE` for the local stack: that share of the functions' AWS SDK calls fails, in three
 * kinds in equal parts:
 * - `before`: an error before the call is sent (it never reached the service);
 * - `after`: the call is sent and takes effect, then its answer is lost (an error instead);
 * - `delay`: the call waits two to four seconds before it is sent.
 * Each attempt draws anew, after the SDK's retry step, so the SDK's own retries meet faults too. The
 * errors look like time-outs, which the SDK retries, as it would a real one. It exists only in the local
 * stack: the clients are the functions' own module-level clients, changed in this process alone.
 */
export function injectFaults(clients: readonly SdkClient[], rate: number, random: () => number = Math.random): FaultInjector {
  const counts: FaultCounts = { calls: 0, before: 0, after: 0, delay: 0 };
  const middleware: FinalizeRequestMiddleware<any, any> = (next) => async (args) => {
    counts.calls += 1;
    const kind = random() < rate ? FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)] : undefined;
    if (kind) counts[kind] += 1;
    if (kind === 'before') throw injected('the call failed before it was sent');
    if (kind === 'delay') await new Promise((resolve) => setTimeout(resolve, 2_000 + random() * 2_000));
    const result = await next(args);
    if (kind === 'after') throw injected('the call took effect, and its answer was lost');
    return result;
  };
  for (const client of clients) {
    client.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: 'localFaultInjection' });
  }
  return { counts: () => ({ ...counts }) };
}

const FAULT_KINDS: readonly FaultKind[] = ['before', 'after', 'delay'];

function injected(what: string): Error {
  return Object.assign(new Error(`Injected fault (LOCAL_FAULT_RATE): ${what}`), { name: 'TimeoutError', $metadata: {} });
}
