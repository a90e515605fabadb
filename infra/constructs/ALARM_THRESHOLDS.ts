/**
 * Every alarm threshold of the stack, in one place (docs/operations/monitoring.md
 * lists them; test/infra/PipelineMonitoring.test.ts asserts them).
 *
 * Severity: `Critical` when data is at risk or already waiting for a repair
 * (a DLQ message, a stream falling behind towards its retention, ingest failing
 * for many callers); `Warning` when an objective is being missed or a
 * component is erroring but nothing is lost yet.
 */
export const ALARM_THRESHOLDS = {
  /** Objectives (30-day targets; an alarm is a 15-minute breach, the budget burning fast). */
  objectives: {
    /** ConsumerLagMs p95 above this: the lag objective is "p95 < 5 s". */
    consumerLagP95Ms: 5_000,
    /** Without the audit (audit.enabled false): DuplicatesDropped ÷ (EventsCounted + DuplicatesDropped), in %. */
    duplicateRatePercent: 0.1,
    /** LateEvents ÷ (LateEvents + EventsCounted), in %: "late-event rate < 1 %". */
    lateEventRatePercent: 1,
    /** BatchDurationMs p95 above this: "batch (checkpoint) duration p95 < 10 s". */
    batchDurationP95Ms: 10_000,
    /** Each objective's alarm period, and how many consecutive periods breach before it fires. */
    periodMinutes: 5,
    datapointsToAlarm: 3,
  },
  /**
   * The correctness audit, each on its first breaching run (one period = max(5 min, the schedule)):
   * the duplicate-rate objective as AuditSurplusEvents ÷ AuditedEvents in % (warning), and any
   * AuditDeficitEvents (critical: accepted means applied, a lost event is data lost).
   */
  audit: { duplicateRatePercent: 0.1, deficitEvents: 0 },
  /** Any message in a DLQ: a batch no retry could apply, waiting for `tributary redrive`. Evaluated each minute. */
  deadLetterMessages: 0,
  /**
   * Stream iterator age, as a fraction of the stream retention (critical, as
   * AWS Solutions Constructs do) and of the consumers' maximum record age
   * (warning: records are about to be sent to the DLQ). Both one-minute maxima.
   */
  iteratorAge: { criticalFractionOfRetention: 0.5, warningFractionOfMaxRecordAge: 0.5 },
  /**
   * API 5XX responses as a fraction of requests over 5 minutes (1 % and 5 %):
   * the library alarms on 5XXError's Average, which is that fraction, not a percentage.
   */
  api5xxFaultFraction: { Warning: 0.01, Critical: 0.05 },
  /** Kinesis Read/WriteProvisionedThroughputExceeded, any in a 5-minute period. */
  streamThroughputExceeded: 0,
  /** DynamoDB read or write throttle events, any in a 5-minute period, per table. */
  tableThrottledEvents: 0,
  /** Function errors (Lambda's Errors metric), any in a 5-minute period, per function. */
  functionErrors: 0,
} as const;
