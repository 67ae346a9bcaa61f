import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { CONSOLE_BUILT, startLocalStackProcess } from './local-stack-process.js';

/**
 * Starts the local stack exactly as `npm start` does, in a child process on free ports, for the
 * end-to-end suite. Every queue delivery is handed to the processor twice, and failed deliveries come
 * back after one second, so the suite sees duplicates and redrives quickly.
 */
export default async function setup(): Promise<void> {
  const stack = await startLocalStackProcess({
    LOCAL_DUPLICATE_DELIVERY: 'true',
    LOCAL_VISIBILITY_TIMEOUT_SECONDS: '1',
    LOCAL_NAME_PREFIX: 'e2e-',
    // Every suite's failures come from the fixture's one sender; the guard has a suite and a stack of its own.
    AUTO_BLOCK_GUARD_LIMIT: '0',
  });
  (globalThis as { __localStack__?: unknown }).__localStack__ = stack.child;

  process.env['E2E_BASE_URL'] = stack.ready.url;
  process.env[CONSOLE_BUILT] = join(PROJECT_ROOT, 'web', 'dist');
  process.env['E2E_STACK'] = JSON.stringify(stack.ready);
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
}
