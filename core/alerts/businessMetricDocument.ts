import type { MetricDefinition } from '../metrics/MetricDefinition';
import type { FinalWindow } from './FinalWindow';
import { BUSINESS_METRICS } from './BUSINESS_METRICS';
import { splitValueName } from './CompiledAlert';
import { readAlertValue } from './readAlertValue';

/** An embedded-metric-format document: one log line CloudWatch turns into data points. */
export type EmfDocument = Record<string, unknown> & { readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly unknown[] } };

/**
 * The EMF document publishing `window`'s chosen values when its metric
 * publishes its group, or undefined (not published, or no value to publish:
 * null means "no data", not 0). Timestamped at the window's start, so a data
 * point sits where the window does on a CloudWatch graph whenever it became
 * final. Emitted once per final window; a redelivery emits the same point
 * again, which the Average, Minimum and Maximum statistics (the dashboard's)
 * do not notice.
 */
export function businessMetricDocument(metric: MetricDefinition, window: FinalWindow): EmfDocument | undefined {
  const publish = metric.publish;
  if (!publish?.groups.includes(window.group)) return undefined;
  const values: Record<string, number> = {};
  for (const valueName of publish.aggregations) {
    const [aggregation, quantile] = splitValueName(valueName, metric);
    const value = readAlertValue({ aggregation, ...(quantile === undefined ? {} : { quantile }) }, window.values);
    if (value !== null) values[valueName] = value;
  }
  const names = Object.keys(values);
  if (names.length === 0) return undefined;
  return {
    _aws: {
      Timestamp: window.startMs,
      CloudWatchMetrics: [{ Namespace: BUSINESS_METRICS.namespace, Dimensions: [[BUSINESS_METRICS.metricDimension, BUSINESS_METRICS.groupDimension]], Metrics: names.map((name) => ({ Name: name, Unit: 'None' })) }],
    },
    // No value shares these keys: config/validateAlerts.ts refuses to publish one so named.
    ...values,
    [BUSINESS_METRICS.metricDimension]: metric.name,
    [BUSINESS_METRICS.groupDimension]: window.group,
    windowEnd: window.endMs,
  };
}
