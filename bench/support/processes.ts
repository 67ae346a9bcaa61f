import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A process of the benchmark's own, which stops when its standard input closes. */
export interface Child {
  process: ChildProcess;
  /** Its first line of standard output ('' for a process with IPC, which is ready at its first message). */
  firstLine: string;
  /** What it wrote to standard error so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * A Node.js process that runs `script` (an ES module) in the project's directory with this process's
 * loader (tsx), so that it imports the project's TypeScript. It is ready once it writes a first line
 * (or, with `ipc`, sends a first message); it stops when its standard input closes.
 */
export async function startChild(script: string, env: Record<string, string>, ipc: boolean): Promise<Child> {
  const stopOnEndOfInput = 'process.stdin.on("end", () => process.exit(0)); process.stdin.resume();\n';
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', (ipc ? stopOnEndOfInput : '') + script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!.trim());
    });
    if (ipc) child.once('message', () => resolve(''));
    child.once('exit', (code) => reject(new Error(`A benchmark process exited with code ${code}: ${stderr.trim()}`)));
    setTimeout(() => reject(new Error('A benchmark process did not start within 30 s')), 30_000).unref();
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return {
    process: child,
    firstLine,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin?.end();
      await exited;
    },
  };
}

/** A process that answers requests: see `startWorker` and `serveRequests`. */
export interface Worker {
  /** Sends a request once the previous one is answered; resolves with its answer. */
  ask<T>(request: unknown): Promise<T>;
  stop(): Promise<void>;
}

type Answer = { value: unknown } | { error: string };

/**
 * A process that runs `script`, which answers its requests with `serveRequests`. A failure there, or the
 * process's exit, rejects the request in flight; `name` says whose it was.
 */
export async function startWorker(name: string, script: string, env: Record<string, string>): Promise<Worker> {
  const child = await startChild(script, env, true);
  let queue = Promise.resolve<unknown>(undefined);
  const answerTo = <T>(request: unknown) =>
    new Promise<T>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`${name} exited with code ${code}: ${child.stderr().trim()}`));
      if (child.process.exitCode !== null) return exited(child.process.exitCode);
      child.process.once('exit', exited);
      child.process.once('message', (answer: Answer) => {
        child.process.off('exit', exited);
        if ('error' in answer) reject(new Error(`${name} failed: ${answer.error}`));
        else resolve(answer.value as T);
      });
      child.process.send(request as object);
    });
  return {
    ask<T>(request: unknown) {
      const asked = queue.then(() => answerTo<T>(request));
      queue = asked.catch(() => undefined);
      return asked;
    },
    stop: child.stop,
  };
}

/**
 * The worker's side of `startWorker`: answers each request from the parent with what `answer` resolves
 * to, or with its error; tells the parent it is ready first. `onDisconnect` runs when the parent goes.
 */
export function serveRequests<R>(answer: (request: R) => Promise<unknown>, onDisconnect?: () => void): void {
  process.on('message', (request: R) => {
    answer(request).then(
      (value) => process.send?.({ value }),
      (error: unknown) => process.send?.({ error: String(error instanceof Error ? (error.stack ?? error.message) : error) }),
    );
  });
  if (onDisconnect) process.on('disconnect', onDisconnect);
  process.send?.({ value: 'ready' });
}

/**
 * CPU time (ms) so far of this process's child with that command name (DynamoDB Local's JVM), from
 * Linux's `/proc`; NaN elsewhere.
 */
export function childCpuTime(command: string): () => number {
  const ticksPerMs = 100 / 1000;
  const pid = readdirSync('/proc', { withFileTypes: true })
    .filter((entry) => /^\d+$/.test(entry.name))
    .find((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry.name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return stat.includes(`(${command})`) && Number(fields[1]) === process.pid;
      } catch {
        return false;
      }
    })?.name;
  return () => {
    if (!pid) return Number.NaN;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    } catch {
      return Number.NaN;
    }
  };
}
