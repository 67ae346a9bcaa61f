import { startChild } from '../support/processes.js';

/**
 * fauxqs (`infra/local/sqs-emulator.ts`, on 127.0.0.1) in a process of its own; it stops when its
 * standard input closes, so it never outlives the benchmark.
 */
export async function startSqsEmulatorProcess(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const child = await startChild(
    [
      "import { startSqsEmulator } from './infra/local/sqs-emulator.ts';",
      'const emulator = await startSqsEmulator({ port: 0 });',
      'process.stdin.on("end", () => emulator.stop().then(() => process.exit(0)));',
      'process.stdin.resume();',
      'process.stdout.write(emulator.endpoint + "\\n");',
    ].join('\n'),
    {},
    false,
  );
  return { endpoint: child.firstLine, stop: child.stop };
}
