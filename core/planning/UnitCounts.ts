/** Where a measured figure comes from (bench/results/units.json). */
export interface UnitSource {
  /** The command that measured it, e.g. `npm run bench:units`. */
  readonly bench: string;
  /** `git rev-parse --short HEAD` of the measured code (`-dirty`: with uncommitted changes). */
  readonly commit: string;
  readonly measuredAt: string;
  readonly machine: string;
}

/** What ingest did with requests of one size: measured against kinesis-mock through functions/ingest/ingestEvents.ts. */
export interface IngestUnits {
  readonly eventsPerRequest: number;
  readonly shards: number;
  /** Kinesis records written per event accepted (1 without aggregation). */
  readonly recordsPerEvent: number;
  /** Mean bytes of one record as Kinesis counts them (data and partition key). */
  readonly bytesPerRecord: number;
  /** Record bytes per event beyond the event's own JSON as the producer sent it (id, receivedAt, key, framing). */
  readonly overheadBytesPerEvent: number;
  /** PutRecords calls per API request. */
  readonly putRecordsPerRequest: number;
  /** The ingest function's time per request, offline (kinesis-mock), milliseconds. */
  readonly msPerRequest: number;
}

/** The aggregator's DynamoDB work, measured by bench/shards.ts against DynamoDB Local. */
export interface AggregatorUnits {
  /** Events per batch of the run the figures come from. */
  readonly batchRecords: number;
  readonly shards: number;
  readonly metricCount: number;
  /** Units per batch that do not depend on the windows: delivery, idempotency and watermark items. */
  readonly fixedWriteUnitsPerBatch: number;
  readonly fixedReadUnitsPerBatch: number;
  /** Units per window written on the aggregates table, watermark partition excluded (retries of lost races included). */
  readonly writeUnitsPerWindowWrite: number;
  readonly readUnitsPerWindowWrite: number;
  /** Windows written per (metric, group) a batch touches: above 1 for hopping windows. */
  readonly windowWritesPerGroupTouched: number;
  /** Units per batch on the watermark partition alone (included in the fixed units). */
  readonly watermarkWriteUnitsPerBatch: number;
  readonly watermarkReadUnitsPerBatch: number;
  /** The offline function's time per batch of `batchRecords` events against DynamoDB Local with `shards` writers at once, milliseconds (the plan scales `batchTime` instead). */
  readonly msPerBatch: number;
  readonly msPer1000Events: number;
  /** What the same bench saw with more shards on the same groups: where contention starts. */
  readonly byShards: readonly AggregatorShardRun[];
  /** The time per batch as the plan scales it: one writer, batches `intervalMs` apart (bench/shards.ts). */
  readonly batchTime: AggregatorBatchTime;
}

/**
 * The aggregator's offline time per batch on one shard, fitted from batch shapes
 * that vary the events and the groups apart: fixedMs + msPerEvent × events +
 * msPerWindowWrite × windows written.
 */
export interface AggregatorBatchTime {
  /** The metric set of the runs (bench/shards.ts' METRIC_SETS). */
  readonly metrics: string;
  readonly shards: number;
  /** Time between the starts of a shard's batches, as the ESM polls a shard that keeps up. */
  readonly intervalMs: number;
  readonly shapes: readonly { readonly events: number; readonly groups: number; readonly windowsWritten: number; readonly msP50: number }[];
  readonly fixedMs: number;
  readonly msPerEvent: number;
  readonly msPerWindowWrite: number;
}

/** One shard count of bench/shards.ts. */
export interface AggregatorShardRun {
  readonly shards: number;
  readonly writeUnitsPerBatch: number;
  readonly readUnitsPerBatch: number;
  readonly writeConflictsPerBatch: number;
  readonly batchesPlanned: number;
  readonly batchesCompleted: number;
  readonly failedBatches: number;
}

/** The archive consumer's writes to the raw events table (functions/archive/archiveRecords.ts against DynamoDB Local). */
export interface ArchiveUnits {
  readonly batchRecords: number;
  /** Events a record of the bench's batches held (KPL aggregates, as ingest wrote them): a type page holds a record's events of a type. */
  readonly eventsPerRecord: number;
  readonly writeUnitsPerEvent: number;
  /** Mean bytes of an archived event's JSON in the bench: an item's WRUs grow by one per KB. */
  readonly itemBytes: number;
  /** The offline function's time per batch, milliseconds. */
  readonly msPerBatch: number;
}

/** The change publisher's DynamoDB units per window change it publishes (functions/changes/createChangePublisher.ts: Powertools idempotency on DynamoDB Local, SNS on fauxqs). */
export interface ChangeUnits {
  readonly writeUnitsPerChange: number;
  readonly readUnitsPerChange: number;
  /** The offline function's time per change, milliseconds. */
  readonly msPerChange: number;
}

/** bench/results/units.json: every measured count `tributary plan` computes with, each with its source. */
export interface UnitCounts {
  readonly source: UnitSource;
  readonly ingest: { readonly source: UnitSource; readonly eventBytes: number; readonly runs: readonly IngestUnits[] };
  readonly aggregator: AggregatorUnits & { readonly source: UnitSource };
  readonly archive: ArchiveUnits & { readonly source: UnitSource };
  /** Absent in a units.json from before the change publisher was measured: the plan then leaves it out and says so. */
  readonly changes?: ChangeUnits & { readonly source: UnitSource };
}
