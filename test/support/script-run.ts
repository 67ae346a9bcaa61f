import { execFile } from 'node:child_process';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

/** How a script run ended: its exit code (`null` when it was killed) and what it wrote. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the project's TypeScript scripts as its npm script does (`node --import tsx <script>`, in
 * the project's directory), and resolves with how it ended, whatever its exit code.
 */
export function runScript(script: string, args: readonly string[], { timeoutMs, env = process.env }: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PROJECT_ROOT, timeout: timeoutMs, env }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}
