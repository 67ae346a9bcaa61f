import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { ENV } from '../shared/config.js';
import { functions } from '../infra/resources.js';
import { BUNDLING, copyFilesBeside, PROJECT_ROOT } from '../infra/constructs/consent-function.js';
import { bundleDefinesOf, type FunctionName } from '../infra/constructs/consent-functions.js';
import { median, round1, round2 } from './statistics.js';

/**
 * `npm run size`: builds every function's bundle as `cdk deploy` does (esbuild, ESM, minified, the AWS
 * SDK inside, the files it reads copied beside it) and measures how long a fresh Node.js process takes
 * to import it, beside its floor: a
 * bundle built the same way that imports only the AWS SDK clients the function's bundle holds, and
 * creates one of each, as the function does. A function's import time over its floor's is what our
 * code and its libraries add to a cold start; the target is 1.3 at most.
 *
 * A function with the Powertools middlewares (`observed()`: Logger and Metrics) gets a second floor, the
 * instrumented one: the first plus those middlewares around an empty handler. A function's import time
 * over this floor's (`ratioToInstrumented`) is what its own code and its other libraries (zod,
 * libphonenumber-js, the document client) add.
 *
 * Bundles and floors are imported in turn, round after round, so that whatever else the machine is
 * doing weighs on all alike; each time is the median of its rounds, and each ratio the median of the
 * rounds' ratios (a bundle and its floor are imported one after the other). The CPU time the imports
 * took is measured too (`cpuRatio`): on a busy machine it wanders less than the wall-clock time.
 * `npm run size -- history profiles` measures those functions only.
 */
const ROUNDS = 21;
const TARGET_RATIO = 1.3;
/** The module whose presence in a bundle means the function runs inside the Powertools middlewares. */
const INSTRUMENTATION = 'shared/observability.ts';

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
  [ENV.erasureLogSecretId]: 'size-erasure-log-key',
  [ENV.changeEventsBusName]: 'size-change-events',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

interface Built {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** A bundle and the import times of its rounds. */
interface Timed {
  built: Built;
  runs: ImportTime[];
}

interface Measured {
  function: string;
  clients: string[];
  bundle: Timed;
  floor: Timed;
  /** Only for a function that runs inside the Powertools middlewares. */
  instrumentedFloor: Timed | undefined;
}

/** Wall-clock time, and the CPU time the process spent (every thread), from `import()` to the module being ready. */
interface ImportTime {
  ms: number;
  cpuMs: number;
}

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in functions));
if (unknown.length > 0) throw new Error(`No function named ${unknown.join(', ')}; the functions are ${Object.keys(functions).join(', ')}`);

const outdir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
try {
  const measured: Measured[] = [];
  for (const [name, fn] of Object.entries(functions).filter(([name]) => only.length === 0 || only.includes(name))) {
    const { built, metafile } = await bundle({ entryPoints: [join(PROJECT_ROOT, fn.entry)], define: bundleDefinesOf(name as FunctionName) }, join(outdir, name));
    copyFilesBeside(metafile, join(outdir, name));
    const clients = sdkClientsIn(metafile);
    const floor = await bundle(floorInput(`${name}-floor`, floorSource(clients)), join(outdir, `${name}-floor`));
    const instrumented = Object.keys(metafile.inputs).some((input) => input.endsWith(INSTRUMENTATION))
      ? await bundle(floorInput(`${name}-instrumented`, floorSource(clients, true)), join(outdir, `${name}-instrumented`))
      : undefined;
    measured.push({
      function: name,
      clients,
      bundle: { built, runs: [] },
      floor: { built: floor.built, runs: [] },
      instrumentedFloor: instrumented && { built: instrumented.built, runs: [] },
    });
  }

  for (let round = 0; round < ROUNDS; round++) {
    for (const row of measured) {
      // Which goes first alternates, so that neither side is always the one a busy moment catches.
      const sides = [row.bundle, row.floor, row.instrumentedFloor];
      for (const timed of round % 2 === 0 ? sides : sides.reverse()) timed?.runs.push(importMs(timed.built.file));
    }
  }

  const rows = measured.map((row) => {
    const importTime = medianMs(row.bundle);
    const floorTime = medianMs(row.floor);
    const instrumentedTime = row.instrumentedFloor && medianMs(row.instrumentedFloor);
    return {
      function: row.function,
      kB: kB(row.bundle.built.bytes),
      gzipKB: kB(row.bundle.built.gzipBytes),
      floorKB: kB(row.floor.built.bytes),
      importMs: round1(importTime),
      floorImportMs: round1(floorTime),
      ratio: round2(pairedRatio(row.bundle, row.floor)),
      cpuRatio: round2(pairedRatio(row.bundle, row.floor, 'cpuMs')),
      instrumentedFloorMs: instrumentedTime === undefined ? null : round1(instrumentedTime),
      ratioToInstrumented: row.instrumentedFloor === undefined ? null : round2(pairedRatio(row.bundle, row.instrumentedFloor)),
      clients: row.clients.map((client) => client.replace('@aws-sdk/client-', '')).join(' ') || '(none)',
    };
  });
  console.log(
    `Import time of each function's bundle, of its floor (the SDK clients it uses, nothing else) and of its instrumented floor (the same inside the Powertools middlewares); medians of ${ROUNDS} fresh processes each, taken in turn; ratios are the medians of each round's ratio`,
  );
  console.table(rows);
  const over = rows.filter((row) => row.ratio > TARGET_RATIO);
  console.log(over.length === 0 ? `Every function is within ${TARGET_RATIO} of its floor.` : `Over ${TARGET_RATIO} of the floor: ${over.map((row) => row.function).join(', ')}`);
  const instrumentedOver = rows.filter((row) => row.instrumentedFloorMs !== null && row.instrumentedFloorMs / row.floorImportMs > TARGET_RATIO);
  if (instrumentedOver.length > 0) {
    console.log(`The instrumented floor alone is over ${TARGET_RATIO} of the floor for: ${instrumentedOver.map((row) => row.function).join(', ')}`);
  }
  console.log(
    JSON.stringify({
      size: rows.map(({ function: fn, kB, importMs, floorImportMs, ratio, cpuRatio, instrumentedFloorMs, ratioToInstrumented }) => ({
        function: fn,
        kB,
        importMs,
        floorImportMs,
        ratio,
        cpuRatio,
        instrumentedFloorMs,
        ratioToInstrumented,
      })),
      maxRatio: Math.max(...rows.map((row) => row.ratio)),
      rounds: ROUNDS,
    }),
  );
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

async function bundle(input: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'define'>, directory: string): Promise<{ built: Built; metafile: Metafile }> {
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
    define: { ...BUNDLING.define, ...input.define },
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

/** A floor's source, built from the project's folder, where the SDK packages are installed. */
function floorInput(name: string, contents: string): Pick<BuildOptions, 'stdin'> {
  return { stdin: { contents, resolveDir: PROJECT_ROOT, sourcefile: `${name}.ts`, loader: 'ts' } };
}

/**
 * A handler that does nothing, beside one client of each package, created when the module loads; for the
 * instrumented floor, the handler runs inside the functions' middlewares.
 */
function floorSource(clients: readonly string[], instrumented = false): string {
  const imports = clients.map((client) => `import { ${SDK_CLIENTS[client]} } from '${client}';`);
  const created = clients.map((client) => `new ${SDK_CLIENTS[client]}({})`);
  const handler = 'async () => ({ statusCode: 200 })';
  return [
    ...imports,
    ...(instrumented
      ? ["import middy from '@middy/core';", `import { observed } from ${JSON.stringify(join(PROJECT_ROOT, 'shared', 'observability.ts'))};`]
      : []),
    `export const clients = [${created.join(', ')}];`,
    `export const handler = ${instrumented ? `middy().use(observed()).handler(${handler})` : handler};`,
    '',
  ].join('\n');
}

function medianMs(timed: Timed, measure: keyof ImportTime = 'ms'): number {
  return median(timed.runs.map((run) => run[measure]));
}

/**
 * The median over rounds of one bundle's time over another's in the same round. The two were imported
 * one after the other, so a round that others' work on the machine slowed down slows both, and their
 * ratio keeps; a ratio of two medians taken apart would not.
 */
function pairedRatio(timed: Timed, floor: Timed, measure: keyof ImportTime = 'ms'): number {
  return median(timed.runs.map((run, round) => run[measure] / (floor.runs[round]?.[measure] ?? Number.NaN)));
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

