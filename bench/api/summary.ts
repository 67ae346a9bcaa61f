import { percentile, round2 } from '../../scripts/statistics.js';

/** One side's measured requests at a concurrency: their latencies, and its process's CPU time over them. */
export interface Sample {
  latencies: number[];
  cpuMs: number;
}

export const emptySample = (): Sample => ({ latencies: [], cpuMs: 0 });

/** A row of the table and of the JSON line: the handler's percentiles beside the floor's (`raw…`), and their ratios. */
export interface Summary {
  concurrency: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  rawP50Ms: number;
  rawP99Ms: number;
  overheadP50: number;
  overheadP99: number;
  cpuMsPerRequest: number;
  rawCpuMsPerRequest: number;
}

/** The summary of both sides' samples; `concurrency` 0 stands for all of them pooled. */
export function summary(concurrency: number, { handler, floor }: { handler: Sample; floor: Sample }): Summary {
  const latencies = [...handler.latencies].sort((a, b) => a - b);
  const rawLatencies = [...floor.latencies].sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5) ?? Number.NaN;
  const p99 = percentile(latencies, 0.99) ?? Number.NaN;
  const rawP50 = percentile(rawLatencies, 0.5) ?? Number.NaN;
  const rawP99 = percentile(rawLatencies, 0.99) ?? Number.NaN;
  return {
    concurrency,
    requests: handler.latencies.length,
    p50Ms: round2(p50),
    p99Ms: round2(p99),
    rawP50Ms: round2(rawP50),
    rawP99Ms: round2(rawP99),
    overheadP50: round2(p50 / rawP50),
    overheadP99: round2(p99 / rawP99),
    cpuMsPerRequest: round2(handler.cpuMs / handler.latencies.length),
    rawCpuMsPerRequest: round2(floor.cpuMs / floor.latencies.length),
  };
}
