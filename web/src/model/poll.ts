/**
 * Waits for a request to settle: asks again and again, each pause longer than the last (up to a
 * ceiling), until `settled` says so or the signal aborts. A failed ask is retried the same way, except
 * when `isFatal` says retrying cannot help (a signed-out user).
 */
export async function pollUntil<T>(
  ask: () => Promise<T>,
  settled: (value: T) => boolean,
  options: {
    signal: AbortSignal;
    isFatal?: (error: unknown) => boolean;
    delays?: Iterable<number>;
    sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  },
): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  const delays = (options.delays ?? backoff())[Symbol.iterator]();
  for (;;) {
    options.signal.throwIfAborted();
    try {
      const value = await ask();
      if (settled(value)) return value;
    } catch (error) {
      if (options.isFatal?.(error)) throw error;
    }
    const next = delays.next();
    await sleep(next.done ? DEFAULT_BACKOFF.maxMs : next.value, options.signal);
  }
}

export const DEFAULT_BACKOFF = { firstMs: 400, factor: 1.5, maxMs: 5_000 } as const;

/** 400 ms, 600 ms, 900 ms, … then every 5 s: quick for the usual second, gentle when the queue is slow. */
export function* backoff({ firstMs, factor, maxMs }: { firstMs: number; factor: number; maxMs: number } = DEFAULT_BACKOFF): Generator<number, never> {
  let delay = firstMs;
  for (;;) {
    yield delay;
    delay = Math.min(maxMs, Math.round(delay * factor));
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
