import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { waitFor } from './free-port.js';

export interface RunningEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** The official DynamoDB Local jar, as shipped inside the `amplify-dynamodb-simulator` package. */
function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** A launcher of ours that binds DynamoDB Local to the loopback interface, run as a single-file program. */
const LOOPBACK_LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'DynamoDbLocalOnLoopback.java');

/**
 * Starts DynamoDB Local in memory on the given port, listening on 127.0.0.1 only, and waits until it
 * answers. It needs a Java 17 (or later) JDK: the launcher is a Java source file, which `java` compiles
 * as it starts it. The package's own launcher is not used because it expects an Amplify CLI installation.
 */
export async function startDynamoDbLocal({ port, heapMb = 1024 }: { port: number; heapMb?: number }): Promise<RunningEmulator> {
  assertJava();
  const directory = jarDirectory();
  const child = spawn(
    'java',
    [
      `-Xmx${heapMb}m`,
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      '-cp',
      [join(directory, 'DynamoDBLocal.jar'), join(directory, 'DynamoDBLocal_lib', '*')].join(':'),
      LOOPBACK_LAUNCHER,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await Promise.race([
      waitFor(() => client.send(new ListTablesCommand({})), { timeoutMs: 30_000, intervalMs: 100, what: `DynamoDB Local on port ${port}` }),
      exited.then((code) => {
        throw new Error(`DynamoDB Local exited with code ${code}: ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function assertJava(): void {
  const probe = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0 || !/^jdk\.compiler@/m.test(probe.stdout)) {
    throw new Error('DynamoDB Local needs a Java 17 (or later) JDK on the PATH (Debian: apt-get install openjdk-17-jdk-headless).');
  }
}
