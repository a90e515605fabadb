import { DEFAULT_QUANTILES, PUBLISH_LIMITS, type MetricDefinition } from '../core/metrics/MetricDefinition';
import { quantileLabel } from '../core/aggregation/quantileLabel';

const ALERT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const COMPARISONS = ['above', 'below'] as const;
/** More than this many windows in a row is an alert on a longer window, not on this one. */
const MAX_CONSECUTIVE_WINDOWS = 100;
const MAX_MIN_EVENT_COUNT = 1_000_000_000;
/** Keys of the business-metric EMF document besides the values (core/alerts/businessMetricDocument.ts). */
const RESERVED_PUBLISHED_NAMES = ['Metric', 'Group', 'windowEnd'] as const;
/** A group a published series names becomes a CloudWatch dimension value: at most 1,024 characters. */
const MAX_PUBLISHED_GROUP_CHARS = 1_024;

/**
 * The values an alert or a published series may name in `metric`: every
 * aggregation whose result is one number, and each quantile of a quantiles
 * aggregation as `<name>.<label>` (`latencyMs.p99`, labels as quantileLabel
 * writes them in the window's values).
 */
export function alertableValues(metric: Pick<MetricDefinition, 'aggregations'>): string[] {
  return Object.entries(metric.aggregations ?? {}).flatMap(([name, spec]) =>
    spec?.kind === 'quantiles' ? (Array.isArray(spec.quantiles) ? spec.quantiles : DEFAULT_QUANTILES).map((q) => `${name}.${quantileLabel(q)}`) : [name],
  );
}

/**
 * Checks one metric's `alerts` and `publish`; one exact message per problem.
 * Session metrics take neither: a session's start and end depend on its
 * events, so "the next window" and "consecutive windows" mean nothing, and a
 * session becomes final only a whole gap after its last event.
 */
export function validateAlerts(at: string, metric: Partial<MetricDefinition>): string[] {
  const problems: string[] = [];
  const isSession = metric.window?.kind === 'session';
  const values = alertableValues({ aggregations: metric.aggregations ?? {} });
  const valueProblem = (field: string, value: unknown): string | undefined =>
    typeof value === 'string' && values.includes(value) ? undefined : `${field} must name one of the metric's values: ${values.join(', ')} (got ${JSON.stringify(value)})`;

  if (metric.alerts !== undefined) {
    if (typeof metric.alerts !== 'object' || metric.alerts === null || Array.isArray(metric.alerts)) {
      problems.push(`${at}.alerts must be an object of named alerts`);
    } else if (isSession && Object.keys(metric.alerts).length > 0) {
      problems.push(`${at}.alerts: session metrics take no alerts (a session has no next window to be consecutive with); use a tumbling or hopping window`);
    } else {
      for (const [name, alert] of Object.entries(metric.alerts)) {
        const alertAt = `${at}.alerts.${name}`;
        if (!ALERT_NAME_PATTERN.test(name)) problems.push(`${at}.alerts name ${JSON.stringify(name)} must match ${ALERT_NAME_PATTERN.source}`);
        if (!alert || typeof alert !== 'object') {
          problems.push(`${alertAt} must be an object`);
          continue;
        }
        const valueAt = valueProblem(`${alertAt}.aggregation`, alert.aggregation);
        if (valueAt) problems.push(valueAt);
        if (!(COMPARISONS as readonly unknown[]).includes(alert.comparison)) {
          problems.push(`${alertAt}.comparison must be one of ${COMPARISONS.join(', ')} (got ${JSON.stringify(alert.comparison)})`);
        }
        if (typeof alert.threshold !== 'number' || !Number.isFinite(alert.threshold)) {
          problems.push(`${alertAt}.threshold must be a finite number (got ${JSON.stringify(alert.threshold)})`);
        }
        problems.push(...integerIn(`${alertAt}.consecutiveWindows`, alert.consecutiveWindows, MAX_CONSECUTIVE_WINDOWS));
        problems.push(...integerIn(`${alertAt}.minEventCount`, alert.minEventCount, MAX_MIN_EVENT_COUNT));
      }
    }
  }

  const publish = metric.publish;
  if (publish !== undefined) {
    if (isSession) {
      problems.push(`${at}.publish: session metrics cannot be published (a session has no fixed period to be a data point of); use a tumbling or hopping window`);
    } else if (typeof publish !== 'object' || publish === null || !Array.isArray(publish.aggregations) || !Array.isArray(publish.groups)) {
      problems.push(`${at}.publish must be { aggregations: [...], groups: [...] }`);
    } else {
      if (publish.aggregations.length === 0) problems.push(`${at}.publish.aggregations must name at least one value`);
      publish.aggregations.forEach((value, index) => {
        const problem = valueProblem(`${at}.publish.aggregations[${index}]`, value);
        if (problem) problems.push(problem);
      });
      if (publish.groups.length === 0) problems.push(`${at}.publish.groups must name at least one group`);
      if (publish.groups.length > PUBLISH_LIMITS.groupsPerMetric) {
        problems.push(`${at}.publish.groups names ${publish.groups.length} groups; at most ${PUBLISH_LIMITS.groupsPerMetric} per metric (each is a CloudWatch metric per aggregation)`);
      }
      publish.groups.forEach((group, index) => {
        if (typeof group !== 'string' || group.length === 0 || group.length > MAX_PUBLISHED_GROUP_CHARS) {
          problems.push(`${at}.publish.groups[${index}] must be a group value of 1 to ${MAX_PUBLISHED_GROUP_CHARS} characters (got ${JSON.stringify(group)})`);
        }
      });
      for (const reserved of RESERVED_PUBLISHED_NAMES) {
        if (publish.aggregations.includes(reserved)) problems.push(`${at}.publish.aggregations cannot publish a value named "${reserved}": the metric's EMF document uses that key`);
      }
      if (new Set(publish.groups).size !== publish.groups.length) problems.push(`${at}.publish.groups names a group more than once`);
      if (new Set(publish.aggregations).size !== publish.aggregations.length) problems.push(`${at}.publish.aggregations names a value more than once`);
    }
  }
  return problems;
}

/** The whole configuration's published series, bounded: each is a CloudWatch custom metric. */
export function validatePublishedTotal(metrics: readonly Partial<MetricDefinition>[]): string[] {
  const total = metrics.reduce((sum, metric) => {
    const publish = metric.publish;
    return Array.isArray(publish?.aggregations) && Array.isArray(publish?.groups) ? sum + publish.aggregations.length * publish.groups.length : sum;
  }, 0);
  return total > PUBLISH_LIMITS.seriesTotal
    ? [`metrics publish ${total} series (aggregations × groups, summed over metrics); at most ${PUBLISH_LIMITS.seriesTotal}`]
    : [];
}

function integerIn(at: string, value: unknown, maximum: number): string[] {
  if (value === undefined) return [];
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= maximum ? [] : [`${at} must be an integer from 1 to ${maximum} (got ${JSON.stringify(value)})`];
}
