/** A field of an event: the envelope's `key` or `type`, or a path into `data` (`data.region`, `data.geo.country`). */
export type FieldPath = 'key' | 'type' | `data.${string}`;

/** Which events a metric counts. */
export interface MetricFilter {
  /** Event types the metric takes, e.g. `['order.created']`. */
  readonly types: readonly string[];
}

/** Tumbling event-time window: fixed size, aligned to the epoch, half-open [start, end). */
export interface TumblingWindow {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
}

/** The window kinds a metric can use; the windowing work adds hopping and session. */
export type WindowSpec = TumblingWindow;

/** Number of matching events in the window. */
export interface CountAggregation {
  readonly kind: 'count';
}

/** Sum of a numeric field; events where it is missing or not a finite number add nothing. */
export interface SumAggregation {
  readonly kind: 'sum';
  readonly field: `data.${string}`;
}

export type AggregationSpec = CountAggregation | SumAggregation;

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
  readonly window: WindowSpec;
  /** Named results, e.g. `{ orders: { kind: 'count' }, revenue: { kind: 'sum', field: 'data.amount' } }`. */
  readonly aggregations: Readonly<Record<string, AggregationSpec>>;
}
