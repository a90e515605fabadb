/** A field of an event: the envelope's `key` or `type`, or a path into `data` (`data.region`, `data.geo.country`). */
export type FieldPath = 'key' | 'type' | `data.${string}`;

/** A scalar a condition compares with. */
export type ConditionValue = string | number | boolean;

/** `field` equals `equals` (strict: `1` is not `"1"`). */
export interface EqualsCondition {
  readonly field: FieldPath;
  readonly equals: ConditionValue;
}

/** `field` is one of `in`. */
export interface InCondition {
  readonly field: FieldPath;
  readonly in: readonly ConditionValue[];
}

/** `field` is present (any value but null) when `exists` is true, absent when false. */
export interface ExistsCondition {
  readonly field: FieldPath;
  readonly exists: boolean;
}

/** `field` is a finite number within the bounds given (each optional, at least one). */
export interface RangeCondition {
  readonly field: FieldPath;
  readonly range: { readonly gt?: number; readonly gte?: number; readonly lt?: number; readonly lte?: number };
}

/** One test on an event; a list of conditions holds when every one holds. */
export type Condition = EqualsCondition | InCondition | ExistsCondition | RangeCondition;

/** Which events a metric takes. */
export interface MetricFilter {
  /** Event types the metric takes, e.g. `['order.created']`. */
  readonly types: readonly string[];
  /**
   * Conditions on the event, all of which must hold.
   * @default [] (every event of the types)
   */
  readonly where?: readonly Condition[];
}

/** Tumbling event-time window: fixed size, aligned to the epoch, half-open [start, end). */
export interface TumblingWindow {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
}

/**
 * Hopping window (the "sliding" window of the seeds, Flink's SlidingEventTimeWindows):
 * windows of `sizeMs` starting every `slideMs`, aligned to the epoch; an event
 * lands in about sizeMs / slideMs windows.
 */
export interface HoppingWindow {
  readonly kind: 'hopping';
  readonly sizeMs: number;
  readonly slideMs: number;
}

/**
 * Session window per group: events at most `gapMs` apart belong to one session
 * [first event, last event + gap). Sessions merge across batches and shards.
 */
export interface SessionWindow {
  readonly kind: 'session';
  readonly gapMs: number;
}

/** The window kinds a metric can use. */
export type WindowSpec = TumblingWindow | HoppingWindow | SessionWindow;

/** When a metric's windows are complete. */
export interface WatermarkPolicy {
  /**
   * Bounded out-of-orderness: the watermark trails the largest event time seen by this much.
   * @default 5000
   */
  readonly maxDelayMs?: number;
  /**
   * A shard that delivered no event of the metric for this long stops holding the watermark back.
   * @default 60000
   */
  readonly idleTimeoutMs?: number;
  /**
   * How long after the watermark passes a window's end late events still update it.
   * Events later than that go to the late-event output.
   * @default 0
   */
  readonly allowedLatenessMs?: number;
  /**
   * How far an event time may lie ahead of the record's arrival on the stream.
   * An event further ahead (a producer clock off by years) is never counted and
   * never moves the watermark: it goes to the late-event output with reason
   * `future-event-time`. Without this bound one such event would make every
   * on-time event after it late, for good.
   * @default 300000
   */
  readonly maxFutureMs?: number;
  /**
   * Idle finalisation (opt-in): once no shard has delivered an event of the
   * metric for this long, a scheduled tick advances the watermark with
   * processing time, to now − advanceWhenIdleMs − maxDelayMs (never back), so
   * the last windows become final without further traffic. An event that
   * arrives after such an advance with an event time the advanced watermark
   * passed is late. Absent: the watermark moves only with events.
   * @default undefined (off)
   */
  readonly advanceWhenIdleMs?: number;
}

/** Number of matching events in the window. */
export interface CountAggregation {
  readonly kind: 'count';
}

/** Sum, smallest, largest or mean of a numeric field; events where it is not a finite number are left out. */
export interface FieldAggregation {
  readonly kind: 'sum' | 'min' | 'max' | 'avg';
  readonly field: `data.${string}`;
}

/** Number of events matching `where`. */
export interface CountIfAggregation {
  readonly kind: 'countIf';
  readonly where: readonly Condition[];
}

/** Events matching `where` divided by all events of the window (an error rate); null for an empty window. */
export interface RatioAggregation {
  readonly kind: 'ratio';
  readonly where: readonly Condition[];
}

/** Approximate number of distinct values of a field (HyperLogLog, ~0.8 % standard error). */
export interface DistinctAggregation {
  readonly kind: 'distinct';
  readonly field: FieldPath;
}

/** Approximate quantiles of a numeric field (DDSketch, ≤ 1 % relative error). */
export interface QuantilesAggregation {
  readonly kind: 'quantiles';
  readonly field: `data.${string}`;
  /**
   * Quantiles to report, each in (0, 1); reported as `p50`, `p90`, `p99.9`…
   * @default [0.5, 0.9, 0.99]
   */
  readonly quantiles?: readonly number[];
}

export type AggregationSpec =
  | CountAggregation
  | FieldAggregation
  | CountIfAggregation
  | RatioAggregation
  | DistinctAggregation
  | QuantilesAggregation;

/** A declared metric: which events, grouped how, over which windows, computing what. */
export interface MetricDefinition {
  /** Name used in the query API (`GET /metrics/{name}`): lower case, digits, `_ . -`. */
  readonly name: string;
  readonly filter: MetricFilter;
  /**
   * Fields whose values form the group; the group need not be the partition key.
   * @default [] (one group for all events)
   */
  readonly groupBy?: readonly FieldPath[];
  /**
   * Where the event time is read: the envelope's `time`, or a `data` path holding
   * epoch ms or an ISO-8601 date-time.
   * @default 'time'
   */
  readonly eventTime?: 'time' | `data.${string}`;
  readonly window: WindowSpec;
  /** @default { maxDelayMs: 5000, idleTimeoutMs: 60000, allowedLatenessMs: 0, maxFutureMs: 300000 } */
  readonly watermark?: WatermarkPolicy;
  /** Named results, e.g. `{ orders: { kind: 'count' }, revenue: { kind: 'sum', field: 'data.amount' } }`. */
  readonly aggregations: Readonly<Record<string, AggregationSpec>>;
  /**
   * Named alerts on the metric's final windows (tumbling and hopping metrics only),
   * e.g. `{ highErrorRate: { aggregation: 'errorRate', comparison: 'above', threshold: 0.05 } }`.
   * @default {} (no alert)
   */
  readonly alerts?: Readonly<Record<string, AlertDefinition>>;
  /**
   * Aggregations of chosen groups published as CloudWatch metrics when a window
   * becomes final (tumbling and hopping metrics only).
   * @default undefined (nothing published)
   */
  readonly publish?: PublishedSeries;
}

// ---- Alerts on windowed metrics and published business metrics (issue 14, item 4) ----

/** How an alert compares a window's value with its threshold: strictly greater or strictly smaller. */
export type AlertComparison = 'above' | 'below';

/**
 * An alert on one aggregation of a metric's final windows. A window breaches
 * when it counted at least `minEventCount` events and its value is `above` or
 * `below` the threshold; `consecutiveWindows` breaching windows in a row raise
 * the alert, the first window that does not breach resolves it.
 */
export interface AlertDefinition {
  /**
   * The aggregation's name (`errorRate`), or for a quantiles aggregation the
   * aggregation and a quantile's label (`latencyMs.p99`).
   */
  readonly aggregation: string;
  readonly comparison: AlertComparison;
  /** A finite number, in the aggregation's unit (a ratio is a fraction: 0.05 for 5 %). */
  readonly threshold: number;
  /**
   * Breaching windows in a row (by window start: one slide apart for hopping, one size for tumbling) that raise the alert.
   * @default 1
   */
  readonly consecutiveWindows?: number;
  /**
   * Events a window must have counted to breach at all: one failure in two requests does not page.
   * @default 1
   */
  readonly minEventCount?: number;
}

/** The chosen aggregations of the chosen groups of a metric, as CloudWatch metrics (namespace `Tributary/Business`). */
export interface PublishedSeries {
  /** Aggregation names, quantiles as `latencyMs.p99`, like an alert's `aggregation`. */
  readonly aggregations: readonly string[];
  /** Group values as the query API names them (`eu-west`; `(all)` for a metric without groupBy). */
  readonly groups: readonly string[];
}

/** Alert defaults, applied where alerts are compiled (core/alerts/compileAlerts.ts). */
export const ALERT_DEFAULTS = { consecutiveWindows: 1, minEventCount: 1 } as const satisfies Required<Pick<AlertDefinition, 'consecutiveWindows' | 'minEventCount'>>;

/** Bounds on published series: each is a CloudWatch custom metric, billed per month. */
export const PUBLISH_LIMITS = { groupsPerMetric: 10, seriesTotal: 50 } as const;

/** Watermark defaults, applied by compileMetric; `advanceWhenIdleMs` has none: absent, idle finalisation is off. */
export const WATERMARK_DEFAULTS = { maxDelayMs: 5_000, idleTimeoutMs: 60_000, allowedLatenessMs: 0, maxFutureMs: 300_000 } as const satisfies Required<Omit<WatermarkPolicy, 'advanceWhenIdleMs'>>;

/** Quantiles reported when a quantiles aggregation names none. */
export const DEFAULT_QUANTILES = [0.5, 0.9, 0.99] as const;
