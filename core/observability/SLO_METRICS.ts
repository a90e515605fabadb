/**
 * The aggregator's CloudWatch metrics that the service-level objectives and
 * their alarms read (namespace `Tributary`, dimension `service`), named once for
 * the handler that emits them and the stack that charts and alarms on them.
 */
export const SLO_METRICS = {
  namespace: 'Tributary',
  /** The dimension Powertools Metrics adds to every metric, and its value for the aggregator. */
  serviceDimension: { name: 'service', value: 'tributary-aggregator' },
  /** (metric, event) pairs counted into at least one window, per batch. */
  eventsCounted: 'EventsCounted',
  /** Entries written to the late-event output, per batch. */
  lateEvents: 'LateEvents',
  /** Producer duplicates dropped before any window, per batch. */
  duplicatesDropped: 'DuplicatesDropped',
  windowsFinalized: 'WindowsFinalized',
  /** Completion time of the batch − event time, a sample of its counted events (a distribution: use p95). */
  consumerLagMs: 'ConsumerLagMs',
  /** Per metric definition (dimension `Metric`): the completion time of the batch − the metric's pipeline watermark. */
  watermarkDelayMs: 'WatermarkDelayMs',
  /** The dimension that carries the metric definition's name, on ConsumerLagMs and WatermarkDelayMs. */
  metricDimension: 'Metric',
  /** Start to end of one batch's processing in the handler, one value per batch. */
  batchDurationMs: 'BatchDurationMs',
  /** Batches the handler threw for (the ESM retries them). */
  batchesFailed: 'BatchesFailed',
} as const;

/**
 * Lag values a batch emits at most. EMF holds at most 100 values per metric in
 * one log object, and a sample of 100 puts the batch's p95 within a few
 * samples of the truth while the log line stays small whatever the batch size.
 */
export const LAG_SAMPLE_SIZE = 100;
