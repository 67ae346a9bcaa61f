/**
 * `npm run bench -- <name>`: runs one benchmark, which prints a table for people and, last, one JSON
 * line for machines. Every figure is measured in the same run, so ratios compare like with like.
 */
const benchmarks: Record<string, () => Promise<unknown>> = {
  check: async () => (await import('./check.js')).run(),
  webhook: async () => (await import('./webhook.js')).run(),
  processor: async () => (await import('./processor/index.js')).run(),
  api: async () => (await import('./api/index.js')).run(),
};

const [name, ...options] = process.argv.slice(2);
// Set before a bench module loads, since its workload's size is read as it loads (`support/scale.ts`).
if (options.includes('--smoke')) process.env['BENCH_SMOKE'] = 'true';
const bench = name === undefined ? undefined : benchmarks[name];
if (!bench) {
  console.error(`Usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [--smoke]`);
  process.exit(2);
}
await bench();
