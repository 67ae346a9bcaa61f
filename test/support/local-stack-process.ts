import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../infra/local/free-port.js';
import { LOCAL_WHATSAPP_APP_SECRET, LOCAL_WHATSAPP_VERIFY_TOKEN } from '../../infra/local/stack.js';

/** Set (to the built console's folder) once the suite's stack has built the console. */
export const CONSOLE_BUILT = 'E2E_CONSOLE_DIR';

/** What a local stack writes to its ready file: its endpoints and resource names. */
export type ReadyStack = Record<string, string | number> & { url: string };

export interface LocalStackProcess {
  ready: ReadyStack;
  child: ChildProcess;
  /** Everything the stack printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the local stack exactly as `npm start` does, in a child process on free ports, with the given
 * settings on top of the documented local defaults, and resolves once it is ready.
 */
export async function startLocalStackProcess(settings: Record<string, string>): Promise<LocalStackProcess> {
  const directory = await mkdtemp(join(tmpdir(), 'consent-stack-'));
  const readyFile = join(directory, 'ready.json');
  // Callbacks are signed with the documented local defaults, and the stack logs at its own default level
  // (WARN), whatever this shell or another suite's setup (which silences the functions) has set.
  const { AUTO_BLOCK_CODES: _codes, POWERTOOLS_LOG_LEVEL: _level, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: {
      ...inherited,
      WHATSAPP_APP_SECRET: LOCAL_WHATSAPP_APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: LOCAL_WHATSAPP_VERIFY_TOKEN,
      PORT: '0',
      LOCAL_STACK_READY_FILE: readyFile,
      // The suite's own stack built the console; a test's stack serves that build rather than rebuild it.
      ...(process.env[CONSOLE_BUILT] ? { LOCAL_CONSOLE_DIR: process.env[CONSOLE_BUILT] } : {}),
      ...settings,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const ready = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the local stack exited: ${output}`);
      return JSON.parse(await readFile(readyFile, 'utf8')) as ReadyStack;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'the local stack' },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  });

  return {
    ready,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}
