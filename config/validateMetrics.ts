import type { Condition, MetricDefinition } from '../core/metrics/MetricDefinition';
import { validateAlerts, validatePublishedTotal } from './validateAlerts';

const NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
const AGGREGATION_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const DATA_PATH_PATTERN = /^data(\.[A-Za-z0-9_-]+)+$/;
const AGGREGATION_KINDS = ['count', 'sum', 'min', 'max', 'avg', 'countIf', 'ratio', 'distinct', 'quantiles'] as const;
const NUMERIC_KINDS: readonly string[] = ['sum', 'min', 'max', 'avg', 'quantiles'];
const WINDOW_KINDS = ['tumbling', 'hopping', 'session'] as const;
/** 31 days: a longer window is a batch job, not a stream metric. */
const MAX_WINDOW_MS = 31 * 24 * 3_600_000;
/** An event lands in size/slide hopping windows, each a write: bound the fan-out. */
const MAX_WINDOWS_PER_EVENT = 100;
/** Sketches take up to ~16 KB (distinct) and ~25 KB (quantiles) each; a window item must stay under DynamoDB's 400 KB. */
const MAX_SKETCHES_PER_METRIC = 8;
/** 7 days: state kept open longer than that is a batch job too. */
const MAX_WATERMARK_MS = 7 * 24 * 3_600_000;

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
    if (metric.filter?.where !== undefined) problems.push(...validateConditions(`${at}.filter.where`, metric.filter.where, false));
    (metric.groupBy ?? []).forEach((field, fieldIndex) => {
      if (!isFieldPath(field)) problems.push(`${at}.groupBy[${fieldIndex}] must be "key", "type" or a path "data.<field>" (got ${JSON.stringify(field)})`);
    });
    if (metric.eventTime !== undefined && metric.eventTime !== 'time' && !DATA_PATH_PATTERN.test(metric.eventTime)) {
      problems.push(`${at}.eventTime must be "time" or a path "data.<field>" (got ${JSON.stringify(metric.eventTime)})`);
    }
    problems.push(...validateWindow(`${at}.window`, metric.window));
    problems.push(...validateWatermark(`${at}.watermark`, metric.watermark));
    problems.push(...validateAggregations(at, metric.aggregations));
    // Alerts and published series (issue 14): their own module.
    problems.push(...validateAlerts(at, metric));
  });
  problems.push(...validatePublishedTotal(metrics));
  return problems;
}

function validateWindow(at: string, window: MetricDefinition['window'] | undefined): string[] {
  if (!window || !(WINDOW_KINDS as readonly string[]).includes(window.kind)) {
    return [`${at}.kind must be one of ${WINDOW_KINDS.join(', ')} (got ${JSON.stringify(window?.kind)})`];
  }
  const problems: string[] = [];
  const duration = (field: string, value: unknown): value is number => {
    if (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_WINDOW_MS) return true;
    problems.push(`${at}.${field} must be an integer from 1 to ${MAX_WINDOW_MS} (got ${JSON.stringify(value)})`);
    return false;
  };
  if (window.kind === 'session') {
    duration('gapMs', window.gapMs);
    return problems;
  }
  const sizeOk = duration('sizeMs', window.sizeMs);
  if (window.kind === 'hopping' && duration('slideMs', window.slideMs) && sizeOk) {
    if (window.slideMs > window.sizeMs) {
      problems.push(`${at}.slideMs (${window.slideMs}) must not exceed sizeMs (${window.sizeMs}): events between windows would be counted nowhere`);
    } else if (Math.ceil(window.sizeMs / window.slideMs) > MAX_WINDOWS_PER_EVENT) {
      problems.push(`${at}: sizeMs / slideMs must be at most ${MAX_WINDOWS_PER_EVENT} (each event updates that many windows; got ${Math.ceil(window.sizeMs / window.slideMs)})`);
    }
  }
  return problems;
}

function validateWatermark(at: string, watermark: MetricDefinition['watermark']): string[] {
  if (watermark === undefined) return [];
  if (typeof watermark !== 'object' || watermark === null) return [`${at} must be an object`];
  const problems: string[] = [];
  for (const field of ['maxDelayMs', 'idleTimeoutMs', 'allowedLatenessMs', 'maxFutureMs', 'advanceWhenIdleMs'] as const) {
    const value = watermark[field];
    if (value === undefined) continue;
    // An idle time of 0 would advance the watermark on every tick, traffic or not.
    const minimum = field === 'idleTimeoutMs' || field === 'advanceWhenIdleMs' ? 1 : 0;
    if (!Number.isInteger(value) || value < minimum || value > MAX_WATERMARK_MS) {
      problems.push(`${at}.${field} must be an integer from ${minimum} to ${MAX_WATERMARK_MS} (got ${JSON.stringify(value)})`);
    }
  }
  return problems;
}

function validateAggregations(at: string, aggregations: MetricDefinition['aggregations'] | undefined): string[] {
  if (!aggregations || typeof aggregations !== 'object' || Object.keys(aggregations).length === 0) {
    return [`${at}.aggregations must declare at least one aggregation`];
  }
  const problems: string[] = [];
  const sketches = Object.values(aggregations).filter((spec) => spec?.kind === 'distinct' || spec?.kind === 'quantiles').length;
  if (sketches > MAX_SKETCHES_PER_METRIC) {
    problems.push(`${at}.aggregations has ${sketches} distinct/quantiles aggregations; at most ${MAX_SKETCHES_PER_METRIC} keep a window under DynamoDB's 400 KB item limit`);
  }
  for (const [name, spec] of Object.entries(aggregations)) {
    const aggAt = `${at}.aggregations.${name}`;
    if (!AGGREGATION_NAME_PATTERN.test(name)) {
      problems.push(`${at}.aggregations name ${JSON.stringify(name)} must match ${AGGREGATION_NAME_PATTERN.source}`);
    }
    if (!spec || !(AGGREGATION_KINDS as readonly string[]).includes(spec.kind)) {
      problems.push(`${aggAt}.kind must be one of ${AGGREGATION_KINDS.join(', ')} (got ${JSON.stringify(spec?.kind)})`);
      continue;
    }
    if (NUMERIC_KINDS.includes(spec.kind) && !('field' in spec && typeof spec.field === 'string' && DATA_PATH_PATTERN.test(spec.field))) {
      problems.push(`${aggAt}.field must be a path "data.<field>" (got ${JSON.stringify((spec as { field?: unknown }).field)})`);
    }
    if (spec.kind === 'distinct' && !isFieldPath(spec.field)) {
      problems.push(`${aggAt}.field must be "key", "type" or a path "data.<field>" (got ${JSON.stringify(spec.field)})`);
    }
    if (spec.kind === 'countIf' || spec.kind === 'ratio') problems.push(...validateConditions(`${aggAt}.where`, spec.where, true));
    if (spec.kind === 'quantiles' && spec.quantiles !== undefined) {
      if (!Array.isArray(spec.quantiles) || spec.quantiles.length === 0 || spec.quantiles.some((q) => typeof q !== 'number' || !(q > 0 && q < 1))) {
        problems.push(`${aggAt}.quantiles must be a non-empty list of numbers between 0 and 1, exclusive (got ${JSON.stringify(spec.quantiles)})`);
      }
    }
  }
  return problems;
}

function validateConditions(at: string, conditions: unknown, required: boolean): string[] {
  if (!Array.isArray(conditions) || (required && conditions.length === 0)) {
    return [`${at} must be a ${required ? 'non-empty ' : ''}list of conditions`];
  }
  const problems: string[] = [];
  conditions.forEach((condition: Partial<Condition> & Record<string, unknown>, index) => {
    const cAt = `${at}[${index}]`;
    if (!condition || typeof condition !== 'object') {
      problems.push(`${cAt} must be an object`);
      return;
    }
    if (!isFieldPath(condition.field)) problems.push(`${cAt}.field must be "key", "type" or a path "data.<field>" (got ${JSON.stringify(condition.field)})`);
    const tests = ['equals', 'in', 'exists', 'range'].filter((test) => test in condition);
    if (tests.length !== 1) {
      problems.push(`${cAt} must have exactly one of equals, in, exists, range (got ${tests.length === 0 ? 'none' : tests.join(', ')})`);
      return;
    }
    const isScalar = (value: unknown) => typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if ('equals' in condition && !isScalar(condition.equals)) problems.push(`${cAt}.equals must be a string, number or boolean`);
    if ('in' in condition && (!Array.isArray(condition.in) || condition.in.length === 0 || !condition.in.every(isScalar))) {
      problems.push(`${cAt}.in must be a non-empty list of strings, numbers or booleans`);
    }
    if ('exists' in condition && typeof condition.exists !== 'boolean') problems.push(`${cAt}.exists must be true or false`);
    if ('range' in condition) {
      const range = condition.range as Record<string, unknown> | undefined;
      const bounds = range && typeof range === 'object' ? Object.entries(range) : [];
      if (bounds.length === 0 || bounds.some(([bound, value]) => !['gt', 'gte', 'lt', 'lte'].includes(bound) || typeof value !== 'number' || !Number.isFinite(value))) {
        problems.push(`${cAt}.range must have at least one of gt, gte, lt, lte, each a finite number`);
      }
    }
  });
  return problems;
}

function isFieldPath(field: unknown): boolean {
  return field === 'key' || field === 'type' || (typeof field === 'string' && DATA_PATH_PATTERN.test(field));
}
