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

const name = process.argv[2];
const bench = name === undefined ? undefined : benchmarks[name];
if (!bench) {
  console.error(`Usage: npm run bench -- <${Object.keys(benchmarks).join('|')}>`);
  process.exit(2);
}
await bench();
