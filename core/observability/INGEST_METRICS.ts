/**
 * The ingest function's CloudWatch metrics (namespace `Tributary`, dimension
 * `service`), one value each per request: Kinesis records written over events
 * accepted is the records per event KPL aggregation achieves (issue 15;
 * docs/decisions/0015-kpl-aggregation.md), as metric math SUM(records) / SUM(events).
 */
export const INGEST_METRICS = {
  namespace: 'Tributary',
  serviceDimension: { name: 'service', value: 'tributary-ingest' },
  /** Events a request answered `accepted`. */
  eventsAccepted: 'EventsAccepted',
  /** Kinesis records the request put (aggregates and plain records), acknowledged or not. */
  recordsWritten: 'KinesisRecordsWritten',
} as const;
