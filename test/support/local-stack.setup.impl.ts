import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../infra/local/free-port.js';
import { LOCAL_WHATSAPP_APP_SECRET, LOCAL_WHATSAPP_VERIFY_TOKEN } from '../../infra/local/stack.js';

/**
 * Starts the local stack exactly as `npm start` does, in a child process on free ports, for the
 * end-to-end suite. Every queue delivery is handed to the processor twice, and failed deliveries come
 * back after one second, so the suite sees duplicates and redrives quickly.
 */
export default async function setup(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'consent-e2e-'));
  const readyFile = join(directory, 'ready.json');
  // The suite signs callbacks with the documented local defaults, whatever this shell has set.
  const { AUTO_BLOCK_CODES: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: {
      ...inherited,
      WHATSAPP_APP_SECRET: LOCAL_WHATSAPP_APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: LOCAL_WHATSAPP_VERIFY_TOKEN,
      PORT: '0',
      LOCAL_STACK_READY_FILE: readyFile,
      LOCAL_DUPLICATE_DELIVERY: 'true',
      LOCAL_VISIBILITY_TIMEOUT_SECONDS: '1',
      LOCAL_NAME_PREFIX: 'e2e-',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  (globalThis as { __localStack__?: unknown }).__localStack__ = child;

  const ready = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the local stack exited: ${output}`);
      return JSON.parse(await readFile(readyFile, 'utf8')) as Record<string, string | number>;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'the local stack' },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  });

  process.env['E2E_BASE_URL'] = String(ready['url']);
  process.env['E2E_STACK'] = JSON.stringify(ready);
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
}
