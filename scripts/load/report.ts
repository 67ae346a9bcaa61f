import { ROUTE_NAMES, ROUTES, type RouteName } from './mix.js';
import type { Outcome } from './runner.js';
import { percentile } from '../statistics.js';

export interface RouteFigures {
  route: string;
  /** Planned requests of the route (each one either answered, failed or not sent). */
  requests: number;
  ok: number;
  /** Answers (of any status) per second of the run. */
  throughput: number;
  /** Latency of the answers that came (of any status), in ms, rounded to 0.1 ms. */
  p50: number | null;
  p99: number | null;
  max: number | null;
  errors: number;
  /** Errors by status: an HTTP status, `network`, `timeout`, `cut at deadline` or `not sent`. */
  errorsByStatus: Record<string, number>;
}

export interface Figures {
  routes: Record<RouteName, RouteFigures>;
  total: RouteFigures;
}

const round = (value: number | undefined, digits = 1) => (value === undefined ? null : Number(value.toFixed(digits)));

function figuresOf(route: string, outcomes: readonly Outcome[], elapsedMs: number): RouteFigures {
  const latencies = outcomes.flatMap((outcome) => (outcome.ms === undefined ? [] : [outcome.ms])).sort((a, b) => a - b);
  const errorsByStatus: Record<string, number> = {};
  for (const outcome of outcomes) if (!outcome.ok) errorsByStatus[String(outcome.status)] = (errorsByStatus[String(outcome.status)] ?? 0) + 1;
  return {
    route,
    requests: outcomes.length,
    ok: outcomes.filter((outcome) => outcome.ok).length,
    throughput: round(elapsedMs > 0 ? (latencies.length * 1000) / elapsedMs : 0)!,
    p50: round(percentile(latencies, 0.5)),
    p99: round(percentile(latencies, 0.99)),
    max: round(latencies.at(-1)),
    errors: outcomes.filter((outcome) => !outcome.ok).length,
    errorsByStatus,
  };
}

export function summarise(outcomes: readonly Outcome[], elapsedMs: number): Figures {
  const routes = Object.fromEntries(
    ROUTE_NAMES.map((name) => [name, figuresOf(ROUTES[name].label, outcomes.filter((outcome) => outcome.route === name), elapsedMs)]),
  ) as Record<RouteName, RouteFigures>;
  return { routes, total: figuresOf('total', outcomes, elapsedMs) };
}

/** The figures as a table, one route a row, then the totals. */
export function table(figures: Figures): string {
  const header = ['route', 'requests', 'ok', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors'];
  const rows = [...ROUTE_NAMES.map((name) => figures.routes[name]), figures.total].map((row) => [
    row.route,
    String(row.requests),
    String(row.ok),
    row.throughput.toFixed(1),
    row.p50?.toFixed(1) ?? '-',
    row.p99?.toFixed(1) ?? '-',
    row.max?.toFixed(1) ?? '-',
    row.errors === 0 ? '0' : `${row.errors} (${Object.entries(row.errorsByStatus).map(([status, count]) => `${status}: ${count}`).join(', ')})`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(0, -1).map(line), line(widths.map((width) => '-'.repeat(width))), line(rows.at(-1)!)].join('\n');
}
