import type { ChildProcess } from 'node:child_process';

export default async function teardown(): Promise<void> {
  const child = (globalThis as { __localStack__?: ChildProcess }).__localStack__;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}
