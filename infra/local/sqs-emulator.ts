import { buildApp } from 'fauxqs';
import type { RunningEmulator } from './dynamodb-local.js';

/**
 * Starts the fauxqs SQS emulator in this process (FIFO, deduplication, visibility timeout and redrive),
 * listening on 127.0.0.1 only: its queue takes consent events that nobody has authenticated, so it must
 * not be reachable from the network. (fauxqs's own `startFauxqs` listens on every interface; its app is
 * the same, started here on the loopback address.)
 */
export async function startSqsEmulator({ port }: { port: number }): Promise<RunningEmulator> {
  const app = buildApp({ logger: false });
  const address = new URL(await app.listen({ port, host: '127.0.0.1' }));
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => app.close(),
  };
}
