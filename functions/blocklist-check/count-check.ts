import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CheckResult } from '../../shared/domain/blocklist-check.js';
import { METRIC } from '../../shared/metric-names.js';
import { metrics } from '../../shared/observability.js';

/** What a check counts for operators: the numbers it looked at, and how many of them were blocked. */
export function countCheck<Input>(result: CheckResult<Input>): CheckResult<Input> {
  const looked = result.blocked.length + result.optedOut.length + result.sendable.length + result.invalid.length;
  metrics.addMetric(METRIC.numbersChecked, MetricUnit.Count, looked);
  metrics.addMetric(METRIC.numbersBlocked, MetricUnit.Count, result.blocked.length);
  return result;
}
