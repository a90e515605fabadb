/**
 * Every Powertools metric carries the `service` dimension; it names the function,
 * not a series of it, so it is left out of the keys.
 */
const IGNORED_DIMENSIONS: ReadonlySet<string> = new Set(['service']);

/**
 * The key of HostStats.recentMetricValues for a metric with these dimensions:
 * `<MetricName>` when it has none beyond `service`, else
 * `<MetricName>|<Dim>=<value>` (several dimensions sorted by name and joined
 * with `|`), e.g. `ConsumerLagMs|Metric=orders-per-region`. The aggregator
 * prints the pipeline-wide series and the per-metric ones on separate lines,
 * so `ConsumerLagMs` holds the pipeline-wide values only, not their sum.
 */
export function recentMetricKey(metricName: string, dimensions: Readonly<Record<string, string>>): string {
  const parts = Object.keys(dimensions)
    .filter((name) => !IGNORED_DIMENSIONS.has(name))
    .sort()
    .map((name) => `${name}=${dimensions[name]}`);
  return [metricName, ...parts].join('|');
}
