import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { ENV } from '../shared/config.js';
import { functions } from '../infra/resources.js';
import { BUNDLING, PROJECT_ROOT } from '../infra/constructs/consent-function.js';
import { median, round1, round2 } from './statistics.js';

/**
 * `npm run size`: builds every function's bundle as `cdk deploy` does (esbuild, ESM, minified, the AWS
 * SDK inside) and measures how long a fresh Node.js process takes to import it, beside its floor: a
 * bundle built the same way that imports only the AWS SDK clients the function's bundle holds, and
 * creates one of each, as the function does. A function's import time over its floor's is what our
 * code and its libraries add to a cold start; the target is 1.3 at most.
 *
 * Bundles and floors are imported in turn, round after round, so that whatever else the machine is
 * doing weighs on both alike; each figure is the median of its rounds. The CPU time the imports took is
 * measured too (`cpuRatio`): on a busy machine it wanders less than the wall-clock time.
 */
const ROUNDS = 15;
const TARGET_RATIO = 1.3;

/** The SDK clients a function may use, by package, with the class a floor creates. */
const SDK_CLIENTS: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-dynamodb-streams': 'DynamoDBStreamsClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  '@aws-sdk/client-sqs': 'SQSClient',
};

/** Placeholder settings: the handlers read their configuration when imported, and refuse to load without. */
const environment: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  [ENV.consentTableName]: 'size-ConsentTable',
  [ENV.auditTableName]: 'size-AuditTable',
  [ENV.consentQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/size.fifo',
  [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/size-dlq.fifo',
  [ENV.maxReceiveCount]: '5',
  [ENV.whatsappSecretId]: 'size-webhook-secret',
  [ENV.changeEventsBusName]: 'size-change-events',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface Built {
  file: string;
  bytes: number;
  gzipBytes: number;
}

interface Measured {
  function: string;
  clients: string[];
  bundle: Built;
  floor: Built;
  importRuns: ImportTime[];
  floorRuns: ImportTime[];
}

/** Wall-clock time, and the CPU time the process spent (every thread), from `import()` to the module being ready. */
interface ImportTime {
  ms: number;
  cpuMs: number;
}

const outdir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
try {
  const measured: Measured[] = [];
  for (const [name, fn] of Object.entries(functions)) {
    const { built, metafile } = await bundle({ entryPoints: [join(PROJECT_ROOT, fn.entry)] }, join(outdir, name));
    const clients = sdkClientsIn(metafile);
    // Built from the project's folder, where the SDK packages are installed.
    const floor = await bundle({ stdin: { contents: floorSource(clients), resolveDir: PROJECT_ROOT, sourcefile: `${name}-floor.ts`, loader: 'ts' } }, join(outdir, `${name}-floor`));
    measured.push({ function: name, clients, bundle: built, floor: floor.built, importRuns: [], floorRuns: [] });
  }

  for (let round = 0; round < ROUNDS; round++) {
    for (const row of measured) {
      row.importRuns.push(importMs(row.bundle.file));
      row.floorRuns.push(importMs(row.floor.file));
    }
  }

  const rows = measured.map((row) => {
    const importTime = median(row.importRuns.map((run) => run.ms));
    const floorTime = median(row.floorRuns.map((run) => run.ms));
    const importCpu = median(row.importRuns.map((run) => run.cpuMs));
    const floorCpu = median(row.floorRuns.map((run) => run.cpuMs));
    return {
      function: row.function,
      kB: kB(row.bundle.bytes),
      gzipKB: kB(row.bundle.gzipBytes),
      floorKB: kB(row.floor.bytes),
      importMs: round1(importTime),
      floorImportMs: round1(floorTime),
      ratio: round2(importTime / floorTime),
      cpuRatio: round2(importCpu / floorCpu),
      clients: row.clients.map((client) => client.replace('@aws-sdk/client-', '')).join(' ') || '(none)',
    };
  });
  console.log(`Import time of each function's bundle and of its floor (the SDK clients it uses, nothing else); medians of ${ROUNDS} fresh processes each, taken in turn`);
  console.table(rows);
  const over = rows.filter((row) => row.ratio > TARGET_RATIO);
  console.log(over.length === 0 ? `Every function is within ${TARGET_RATIO} of its floor.` : `Over ${TARGET_RATIO} of the floor: ${over.map((row) => row.function).join(', ')}`);
  console.log(
    JSON.stringify({
      size: rows.map((row) => ({ function: row.function, kB: row.kB, importMs: row.importMs, floorImportMs: row.floorImportMs, ratio: row.ratio, cpuRatio: row.cpuRatio })),
      maxRatio: Math.max(...rows.map((row) => row.ratio)),
      rounds: ROUNDS,
    }),
  );
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

async function bundle(input: Pick<BuildOptions, 'entryPoints' | 'stdin'>, directory: string): Promise<{ built: Built; metafile: Metafile }> {
  const file = join(directory, 'index.mjs');
  const result = await build({
    ...input,
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    mainFields: BUNDLING.mainFields,
    banner: { js: BUNDLING.banner },
    metafile: true,
    logLevel: 'error',
  });
  const bytes = readFileSync(file);
  return { built: { file, bytes: statSync(file).size, gzipBytes: gzipSync(bytes).length }, metafile: result.metafile };
}

/** The SDK client packages whose code ended up in a bundle. */
function sdkClientsIn(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
    if (!match?.[1]) continue;
    if (!(match[1] in SDK_CLIENTS)) throw new Error(`A bundle holds ${match[1]}, which SDK_CLIENTS does not name: add it`);
    found.add(match[1]);
  }
  return [...found].sort();
}

/** A handler that does nothing, beside one client of each package, created when the module loads. */
function floorSource(clients: readonly string[]): string {
  const imports = clients.map((client) => `import { ${SDK_CLIENTS[client]} } from '${client}';`);
  const created = clients.map((client) => `new ${SDK_CLIENTS[client]}({})`);
  return [
    ...imports,
    `export const clients = [${created.join(', ')}];`,
    'export const handler = async () => ({ statusCode: 200 });',
    '',
  ].join('\n');
}

/** How long one fresh Node.js process takes from the start of `import()` to the module being ready. */
function importMs(file: string): ImportTime {
  const script = [
    'const t = performance.now(), c = process.cpuUsage();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const u = process.cpuUsage(c);',
    'console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (u.user + u.system) / 1000 }));',
  ].join(' ');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...environment, PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as ImportTime;
}

function kB(bytes: number): number {
  return Math.round(bytes / 1024);
}

