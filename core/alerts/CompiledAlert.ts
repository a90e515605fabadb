import { ALERT_DEFAULTS, type AlertComparison, type MetricDefinition } from '../metrics/MetricDefinition';

/** An alert with its defaults applied and its window step known: what evaluateWindow needs. */
export interface CompiledAlert {
  readonly metric: string;
  readonly name: string;
  /** The aggregation's name. */
  readonly aggregation: string;
  /** The quantile's label (`p99`) when the aggregation is a quantiles one. */
  readonly quantile?: string;
  readonly comparison: AlertComparison;
  readonly threshold: number;
  readonly consecutiveWindows: number;
  readonly minEventCount: number;
  /** Distance between the starts of two consecutive windows: the slide of a hopping window, the size of a tumbling one. */
  readonly stepMs: number;
  readonly windowSizeMs: number;
}

/**
 * The alerts of `metric`, compiled. Assumes a validated definition
 * (config/validateAlerts.ts): session metrics have none.
 */
export function compileAlerts(metric: MetricDefinition): CompiledAlert[] {
  const window = metric.window;
  if (window.kind === 'session') return [];
  const stepMs = window.kind === 'hopping' ? window.slideMs : window.sizeMs;
  return Object.entries(metric.alerts ?? {}).map(([name, alert]) => {
    const [aggregation, quantile] = splitValueName(alert.aggregation, metric);
    return {
      metric: metric.name,
      name,
      aggregation,
      ...(quantile === undefined ? {} : { quantile }),
      comparison: alert.comparison,
      threshold: alert.threshold,
      consecutiveWindows: alert.consecutiveWindows ?? ALERT_DEFAULTS.consecutiveWindows,
      minEventCount: alert.minEventCount ?? ALERT_DEFAULTS.minEventCount,
      stepMs,
      windowSizeMs: window.sizeMs,
    };
  });
}

/**
 * `latencyMs.p99` → [`latencyMs`, `p99`] when `latencyMs` is a quantiles
 * aggregation; any other name is the aggregation itself. Split on the first
 * dot: aggregation names have none, quantile labels may (`p99.9`).
 */
export function splitValueName(valueName: string, metric: Pick<MetricDefinition, 'aggregations'>): [string, string | undefined] {
  const dot = valueName.indexOf('.');
  if (dot < 0) return [valueName, undefined];
  const aggregation = valueName.slice(0, dot);
  return metric.aggregations[aggregation]?.kind === 'quantiles' ? [aggregation, valueName.slice(dot + 1)] : [valueName, undefined];
}
