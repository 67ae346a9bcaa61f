import { jest } from '@jest/globals';
import { METRICS_NAMESPACE } from '../../shared/metric-names.js';

/*
 * The functions' metrics as they write them: Powertools' embedded-metric-format lines on standard
 * output, which CloudWatch turns into metrics in AWS.
 */

export interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/**
 * Runs `act` and returns the JSON lines written to standard output and standard error meanwhile (the
 * logger writes errors to the latter).
 */
export async function outputLinesOf(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }),
  );
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs `act` and returns the embedded-metric-format lines written to standard output meanwhile. */
export async function metricLinesOf(act: () => Promise<unknown>): Promise<EmfLine[]> {
  return (await outputLinesOf(act)).filter((line): line is EmfLine => '_aws' in line);
}

/** The values of the service's metrics in the lines, by name, summed over the lines. */
export function countsIn(lines: readonly EmfLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    for (const directive of line._aws.CloudWatchMetrics) {
      if (directive.Namespace !== METRICS_NAMESPACE) throw new Error(`a metric in namespace ${directive.Namespace}`);
      for (const { Name } of directive.Metrics) {
        const value = line[Name];
        const values = Array.isArray(value) ? (value as number[]) : [value as number];
        counts[Name] = (counts[Name] ?? 0) + values.reduce((sum, one) => sum + one, 0);
      }
    }
  }
  return counts;
}
