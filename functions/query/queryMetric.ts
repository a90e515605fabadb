import type { AggregateValue } from '../../core/aggregation/AggregateValue';
import { emptyResults } from '../../core/aggregation/emptyResults';
import { ENVELOPE_LIMITS } from '../../core/envelope/EventEnvelope';
import { parseEventTime, QUERY_TIME_RANGE } from '../../core/envelope/parseEventTime';
import { RequestError } from '../../core/errors';
import type { CompiledMetric } from '../../core/metrics/compileMetric';
import { ALL_GROUP } from '../../core/metrics/groupKeyFor';
import type { WindowSpec } from '../../core/metrics/MetricDefinition';
import type { WindowReader, WindowResult } from '../../core/ports/WindowReader';
import { windowState, type WindowState } from '../../core/windowing/windowState';

/** One window as the query API returns it. */
export interface WindowView {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly start: string;
  readonly end: string;
  /** open → on-time (watermark passed the end) → final (passed end + allowed lateness; never changes again). */
  readonly state: WindowState;
  readonly eventCount: number;
  /** Events too late for this window; they are in the late-event output. */
  readonly lateEvents: number;
  readonly values: Readonly<Record<string, AggregateValue>>;
}

export interface MetricQueryResult {
  readonly metric: string;
  readonly group: string;
  readonly window: WindowSpec;
  readonly allowedLatenessMs: number;
  /** The metric's pipeline watermark (epoch ms), null before any. */
  readonly watermark: number | null;
  readonly from: number;
  readonly to: number;
  readonly windows: readonly WindowView[];
}

/** Most windows one request may span; keeps a response bounded in size and time. */
export const MAX_WINDOWS_PER_QUERY = 10_000;
/** Windows fetched by key in one BatchGetItem (100 keys, one taken by the watermark); larger ranges use a Query. */
export const MAX_KEYED_WINDOWS = 99;
/** Range used when `from` is omitted. */
export const DEFAULT_RANGE_MS = 3_600_000;

/**
 * GET /metrics/{name}?group=&from=&to=: the windows whose start lies in
 * [from, to), oldest first, each with its state and late-event count.
 * `from`/`to` are ISO-8601 or epoch ms; `to` defaults to now, `from` to one hour
 * before `to`. Tumbling and hopping windows have computable keys, so a range of
 * up to 99 windows is one BatchGetItem together with the watermark.
 */
export async function queryMetric(
  metrics: readonly CompiledMetric[],
  reader: WindowReader,
  name: string | undefined,
  params: Readonly<Record<string, string | undefined>>,
  nowMs: number,
): Promise<MetricQueryResult> {
  const metric = metrics.find((candidate) => candidate.name === name);
  if (!metric) {
    throw new RequestError(404, `Unknown metric ${JSON.stringify(name)}; declared metrics: ${metrics.map((m) => m.name).join(', ')}`);
  }
  let group = params.group;
  if (metric.groupByFields.length === 0) {
    group = group ?? ALL_GROUP;
  } else if (group === undefined || group === '') {
    throw new RequestError(400, `Query parameter "group" is required: metric "${metric.name}" is grouped by ${metric.groupByFields.join(', ')}`);
  }
  // No event can carry a longer group: nothing to look up (shorter ones of any length are keyed by their hash).
  if (group.length > ENVELOPE_LIMITS.maxEventBytes) {
    throw new RequestError(400, `Query parameter "group" must be at most ${ENVELOPE_LIMITS.maxEventBytes} characters, the largest event (got ${group.length})`);
  }
  const to = params.to === undefined ? nowMs : parseTimeParam('to', params.to);
  const from = params.from === undefined ? to - DEFAULT_RANGE_MS : parseTimeParam('from', params.from);
  if (from >= to) throw new RequestError(400, `"from" (${from}) must be before "to" (${to})`);

  let stored: WindowResult[];
  let watermarks: Record<string, number>;
  const window = metric.window;
  if (window.kind === 'session') {
    [stored, watermarks] = await Promise.all([reader.queryWindows(metric.name, group, from, to), reader.readPipelineWatermark()]);
  } else {
    const stepMs = window.kind === 'hopping' ? window.slideMs : window.sizeMs;
    const firstStartMs = Math.ceil(from / stepMs) * stepMs;
    const spanned = firstStartMs < to ? Math.ceil((to - firstStartMs) / stepMs) : 0;
    if (spanned > MAX_WINDOWS_PER_QUERY) {
      throw new RequestError(400, `The range spans ${spanned} windows starting every ${stepMs} ms; at most ${MAX_WINDOWS_PER_QUERY} per request`);
    }
    if (spanned <= MAX_KEYED_WINDOWS) {
      const keys = Array.from({ length: spanned }, (_, i) => ({ metric: metric.name, group: group!, startMs: firstStartMs + i * stepMs }));
      const result = await reader.getWindowsWithWatermark(keys);
      stored = result.windows.filter((w): w is WindowResult => w !== undefined);
      watermarks = result.watermarkMs;
    } else {
      [stored, watermarks] = await Promise.all([reader.queryWindows(metric.name, group, from, to), reader.readPipelineWatermark()]);
    }
  }
  const watermarkMs = watermarks[metric.name];
  const empty = emptyResults(metric.aggregations);
  return {
    metric: metric.name,
    group,
    window,
    allowedLatenessMs: metric.allowedLatenessMs,
    watermark: watermarkMs ?? null,
    from,
    to,
    windows: stored.map((w) => ({
      windowStart: w.startMs,
      windowEnd: w.endMs,
      start: new Date(w.startMs).toISOString(),
      end: new Date(w.endMs).toISOString(),
      state: windowState(w.endMs, watermarkMs ?? Number.NEGATIVE_INFINITY, w.finalAtMs !== undefined),
      eventCount: w.eventCount,
      lateEvents: w.lateEventCount,
      values: orderedValues(empty, w.values),
    })),
  };
}

/**
 * The stored values in declaration order (DynamoDB maps come back in any
 * order); a window that only ever saw late events has none, so it shows the
 * empty results.
 */
function orderedValues(empty: Record<string, AggregateValue>, stored: Readonly<Record<string, AggregateValue>>): Record<string, AggregateValue> {
  const values: Record<string, AggregateValue> = {};
  for (const [name, emptyValue] of Object.entries(empty)) {
    const value = stored[name] ?? emptyValue;
    if (value !== null && typeof value === 'object' && emptyValue !== null && typeof emptyValue === 'object') {
      values[name] = Object.fromEntries(Object.keys(emptyValue).map((label) => [label, value[label] ?? null]));
    } else {
      values[name] = value;
    }
  }
  return values;
}

function parseTimeParam(name: string, value: string): number {
  const parsed = parseEventTime(/^-?\d+$/.test(value) ? Number(value) : value, QUERY_TIME_RANGE);
  if (!parsed.ok) throw new RequestError(400, `Query parameter "${name}" ${parsed.reason}`);
  return parsed.epochMs;
}
