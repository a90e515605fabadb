import { ConfigError } from '../core/errors';
import type { MetricDefinition } from '../core/metrics/MetricDefinition';
import { BUNDLED_METRICS_VARIABLE, readBundledMetricsJson } from './functionEnvironment';
import { validateMetrics } from './validateMetrics';

/**
 * The metric definitions the function was bundled with (see
 * BUNDLED_METRICS_VARIABLE): the deployed code and its configuration are one
 * versioned asset.
 */
export function loadBundledMetrics(): MetricDefinition[] {
  const json = readBundledMetricsJson();
  if (!json) throw new ConfigError([`${BUNDLED_METRICS_VARIABLE} is not set: the function was bundled without metric definitions`]);
  const metrics = JSON.parse(json) as MetricDefinition[];
  const problems = validateMetrics(metrics);
  if (problems.length > 0) throw new ConfigError(problems);
  return metrics;
}
