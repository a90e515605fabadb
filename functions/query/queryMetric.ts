import { parseEventTime } from '../../shared/envelope/parseEventTime';
import { RequestError } from '../../shared/errors';
import { ALL_GROUP } from '../../shared/metrics/groupKeyFor';
import type { MetricDefinition } from '../../shared/metrics/MetricDefinition';
import type { AggregateStore } from '../../shared/storage/AggregateStore';

/** One window as the query API returns it. */
export interface WindowView {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly start: string;
  readonly end: string;
  readonly eventCount: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface MetricQueryResult {
  readonly metric: string;
  readonly group: string;
  readonly from: number;
  readonly to: number;
  readonly windowSizeMs: number;
  readonly windows: readonly WindowView[];
}

/** Most windows one request may span; keeps a response bounded in size and time. */
export const MAX_WINDOWS_PER_QUERY = 10_000;
/** Range used when `from` is omitted. */
export const DEFAULT_RANGE_MS = 3_600_000;

/**
 * GET /metrics/{name}?group=&from=&to=: the windows whose start lies in
 * [from, to), oldest first. `from`/`to` are ISO-8601 or epoch ms; `to`
 * defaults to now, `from` to one hour before `to`.
 */
export async function queryMetric(
  metrics: readonly MetricDefinition[],
  store: AggregateStore,
  name: string | undefined,
  params: Readonly<Record<string, string | undefined>>,
  nowMs: number,
): Promise<MetricQueryResult> {
  const metric = metrics.find((candidate) => candidate.name === name);
  if (!metric) {
    throw new RequestError(404, `Unknown metric ${JSON.stringify(name)}; declared metrics: ${metrics.map((m) => m.name).join(', ')}`);
  }
  const groupBy = metric.groupBy ?? [];
  let group = params.group;
  if (groupBy.length === 0) {
    group = group ?? ALL_GROUP;
  } else if (group === undefined || group === '') {
    throw new RequestError(400, `Query parameter "group" is required: metric "${metric.name}" is grouped by ${groupBy.join(', ')}`);
  }
  const to = params.to === undefined ? nowMs : parseTimeParam('to', params.to);
  const from = params.from === undefined ? to - DEFAULT_RANGE_MS : parseTimeParam('from', params.from);
  if (from >= to) throw new RequestError(400, `"from" (${from}) must be before "to" (${to})`);
  const windowSizeMs = metric.window.sizeMs;
  const spanned = Math.ceil((to - from) / windowSizeMs);
  if (spanned > MAX_WINDOWS_PER_QUERY) {
    throw new RequestError(400, `The range spans ${spanned} windows of ${windowSizeMs} ms; at most ${MAX_WINDOWS_PER_QUERY} per request`);
  }
  const stored = await store.queryWindows(metric.name, group, from, to);
  return {
    metric: metric.name,
    group,
    from,
    to,
    windowSizeMs,
    windows: stored.map((window) => ({
      windowStart: window.windowStartMs,
      windowEnd: window.windowEndMs,
      start: new Date(window.windowStartMs).toISOString(),
      end: new Date(window.windowEndMs).toISOString(),
      eventCount: window.eventCount,
      values: window.values,
    })),
  };
}

function parseTimeParam(name: string, value: string): number {
  const parsed = parseEventTime(/^-?\d+$/.test(value) ? Number(value) : value);
  if (!parsed.ok) throw new RequestError(400, `Query parameter "${name}" ${parsed.reason}`);
  return parsed.epochMs;
}
