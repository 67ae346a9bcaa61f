import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ENV } from '../shared/config.js';
import { functions } from '../infra/resources.js';
import { BUNDLING, PROJECT_ROOT } from '../infra/constructs/consent-function.js';

/**
 * `npm run size`: builds every function's bundle as `cdk deploy` does (esbuild, ESM, minified, the AWS
 * SDK inside) and prints its size and how long a fresh Node.js process takes to import it, beside a
 * bundle with an empty handler, so the difference is what our code and its libraries cost a cold start.
 */
const IMPORTS = 7;

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
};

const outdir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
try {
  const emptyEntry = join(outdir, 'empty-handler.ts');
  writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200 });\n');
  const entries: [string, string][] = [['(empty handler)', emptyEntry], ...Object.entries(functions).map(([name, fn]) => [name, join(PROJECT_ROOT, fn.entry)] as [string, string])];

  const rows = [];
  for (const [name, entry] of entries) {
    const file = await bundle(name, entry);
    const bytes = statSync(file).size;
    rows.push({
      function: name,
      kB: Math.round(bytes / 1024),
      gzipKB: Math.round(gzipSync(readFileSync(file)).length / 1024),
      importMs: medianImportMs(file),
    });
  }
  const baseline = rows[0]?.importMs ?? 0;
  console.table(rows.map((row) => ({ ...row, importMs: round1(row.importMs), overEmptyMs: round1(row.importMs - baseline) })));
  console.log(JSON.stringify({ size: rows.map((row) => ({ function: row.function, kB: row.kB, importMs: round1(row.importMs) })) }));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

async function bundle(name: string, entry: string): Promise<string> {
  const outfile = join(outdir, name.replace(/\W+/g, '-'), 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    mainFields: BUNDLING.mainFields,
    banner: { js: BUNDLING.banner },
    logLevel: 'error',
  });
  return outfile;
}

/** The median time, over a few fresh processes, from the start of `import()` to the module being ready. */
function medianImportMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let run = 0; run < IMPORTS; run++) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...environment, PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
    times.push(Number(result.stdout.trim().split('\n').at(-1)));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
