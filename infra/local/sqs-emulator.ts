import { startFauxqs } from 'fauxqs';
import type { RunningEmulator } from './dynamodb-local.js';

/** Starts the fauxqs SQS emulator in this process (FIFO, deduplication, visibility timeout and redrive). */
export async function startSqsEmulator({ port }: { port: number }): Promise<RunningEmulator> {
  const server = await startFauxqs({ port, logger: false });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    stop: () => server.stop(),
  };
}
