import { ConfigError } from '../core/errors';
import type { MetricDefinition } from '../core/metrics/MetricDefinition';
import { validateMetrics } from './validateMetrics';

/** Name of the variable holding the metric definitions, replaced by a literal at bundle time. */
export const METRICS_DEFINE = 'process.env.TRIBUTARY_METRICS_JSON';

/**
 * The metric definitions the function was bundled with. esbuild replaces
 * `process.env.TRIBUTARY_METRICS_JSON` with the JSON text at synth time (they
 * outgrow Lambda's 4 KB of environment), so the deployed code and its
 * configuration are one versioned asset. Unbundled (unit tests) it is a real variable.
 */
export function loadBundledMetrics(): MetricDefinition[] {
  const json = process.env.TRIBUTARY_METRICS_JSON;
  if (!json) throw new ConfigError(['TRIBUTARY_METRICS_JSON is not set: the function was bundled without metric definitions']);
  const metrics = JSON.parse(json) as MetricDefinition[];
  const problems = validateMetrics(metrics);
  if (problems.length > 0) throw new ConfigError(problems);
  return metrics;
}
