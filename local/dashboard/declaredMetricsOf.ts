import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { DeclaredMetric } from './RecentWindows';

/** The metric definitions as the business view heads them: name, window in words, aggregation names. */
export function declaredMetricsOf(metrics: readonly MetricDefinition[]): DeclaredMetric[] {
  return metrics.map((metric) => {
    const window = metric.window;
    const text =
      window.kind === 'tumbling'
        ? `tumbling ${window.sizeMs / 1_000} s`
        : window.kind === 'hopping'
          ? `hopping ${window.sizeMs / 1_000} s every ${window.slideMs / 1_000} s`
          : `session, gap ${window.gapMs / 1_000} s`;
    return { name: metric.name, window: text, aggregations: Object.keys(metric.aggregations) };
  });
}
