import type { MetricDefinition } from '../metrics/MetricDefinition';

const NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
const AGGREGATION_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const DATA_PATH_PATTERN = /^data(\.[A-Za-z0-9_-]+)+$/;
const AGGREGATION_KINDS = ['count', 'sum'] as const;
const WINDOW_KINDS = ['tumbling'] as const;
/** 31 days: a longer window is a batch job, not a stream metric. */
const MAX_WINDOW_SIZE_MS = 31 * 24 * 3_600_000;

/** Checks metric definitions; returns one exact message per problem (empty when valid). */
export function validateMetrics(metrics: unknown): string[] {
  if (!Array.isArray(metrics) || metrics.length === 0) return ['metrics must declare at least one metric'];
  const problems: string[] = [];
  const seen = new Set<string>();
  metrics.forEach((metric: Partial<MetricDefinition>, index) => {
    const at = `metrics[${index}]`;
    if (typeof metric.name !== 'string' || !NAME_PATTERN.test(metric.name)) {
      problems.push(`${at}.name must match ${NAME_PATTERN.source} (got ${JSON.stringify(metric.name)})`);
    } else if (seen.has(metric.name)) {
      problems.push(`${at}.name "${metric.name}" is declared more than once`);
    } else {
      seen.add(metric.name);
    }
    const types = metric.filter?.types;
    if (!Array.isArray(types) || types.length === 0 || types.some((type) => typeof type !== 'string' || type.length === 0)) {
      problems.push(`${at}.filter.types must be a non-empty list of event types`);
    }
    (metric.groupBy ?? []).forEach((field, fieldIndex) => {
      if (field !== 'key' && field !== 'type' && !DATA_PATH_PATTERN.test(field)) {
        problems.push(`${at}.groupBy[${fieldIndex}] must be "key", "type" or a path "data.<field>" (got ${JSON.stringify(field)})`);
      }
    });
    const window = metric.window;
    if (!window || !(WINDOW_KINDS as readonly string[]).includes(window.kind)) {
      problems.push(`${at}.window.kind must be one of ${WINDOW_KINDS.join(', ')} (got ${JSON.stringify(window?.kind)})`);
    } else if (!Number.isInteger(window.sizeMs) || window.sizeMs < 1 || window.sizeMs > MAX_WINDOW_SIZE_MS) {
      problems.push(`${at}.window.sizeMs must be an integer from 1 to ${MAX_WINDOW_SIZE_MS} (got ${JSON.stringify(window.sizeMs)})`);
    }
    const aggregations = metric.aggregations;
    if (!aggregations || typeof aggregations !== 'object' || Object.keys(aggregations).length === 0) {
      problems.push(`${at}.aggregations must declare at least one aggregation`);
      return;
    }
    for (const [name, spec] of Object.entries(aggregations)) {
      const aggAt = `${at}.aggregations.${name}`;
      if (!AGGREGATION_NAME_PATTERN.test(name)) {
        problems.push(`${at}.aggregations name ${JSON.stringify(name)} must match ${AGGREGATION_NAME_PATTERN.source}`);
      }
      if (!spec || !(AGGREGATION_KINDS as readonly string[]).includes(spec.kind)) {
        problems.push(`${aggAt}.kind must be one of ${AGGREGATION_KINDS.join(', ')} (got ${JSON.stringify(spec?.kind)})`);
      } else if (spec.kind === 'sum' && (typeof spec.field !== 'string' || !DATA_PATH_PATTERN.test(spec.field))) {
        problems.push(`${aggAt}.field must be a path "data.<field>" (got ${JSON.stringify(spec.field)})`);
      }
    }
  });
  return problems;
}
