import { readEmfDatapoints } from './readEmfDatapoints';

/**
 * The metric values of one CloudWatch Embedded Metric Format log line (what
 * Powertools Metrics prints), summed by name, or undefined for any other line.
 * The running totals of the status line and dashboard; alarms and
 * distributions use the datapoints themselves (readEmfDatapoints).
 */
export function readEmfMetrics(line: string): Record<string, number> | undefined {
  const datapoints = readEmfDatapoints(line, Date.now());
  if (!datapoints) return undefined;
  return sumByName(datapoints);
}

/** Each metric's values added up, by metric name. */
export function sumByName(datapoints: readonly { readonly metricName: string; readonly values: readonly number[] }[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const point of datapoints) sums[point.metricName] = (sums[point.metricName] ?? 0) + point.values.reduce((total, n) => total + n, 0);
  return sums;
}
