import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AggregatorSettings } from '../../config/functionEnvironment';
import { WindowedAggregator, type DeliveryGuards } from '../../core/aggregator/WindowedAggregator';
import { compileMetric } from '../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { CompletionLog } from '../../core/ports/CompletionLog';
import type { DuplicateLedger } from '../../core/ports/DuplicateLedger';
import type { LateEventSink, RejectedRecordSink } from '../../core/ports/LateEventSink';
import type { ShardDirectory } from '../../core/ports/ShardDirectory';
import type { WindowStore } from '../../core/ports/WindowStore';
import { DynamoCompletionLog } from '../../adapters/dynamodb/DynamoCompletionLog';
import { DynamoDuplicateLedger } from '../../adapters/dynamodb/DynamoDuplicateLedger';
import { DynamoLateEventStore } from '../../adapters/dynamodb/DynamoLateEventStore';
import { DynamoWindowStore } from '../../adapters/dynamodb/DynamoWindowStore';
import { KinesisShardDirectory } from '../../adapters/kinesis/KinesisShardDirectory';
import { PowertoolsBatchIdempotency } from '../../adapters/powertools/PowertoolsBatchIdempotency';

/** The clients the aggregator's stores send through (each with the retry policy). */
export interface AggregatorClients {
  /** Powertools writes its batch records through the plain client. */
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** For ListShards; a client of its own when absent. */
  readonly kinesis?: KinesisClient;
}

/** What to assemble besides the settings. Every part left out is the deployed function's. */
export interface CreateAggregatorOptions {
  /** The metrics to compute. */
  readonly metrics: readonly MetricDefinition[];
  /**
   * The shards the watermark waits for. Default: the stream's, from ListShards.
   * Repairs pass a static directory: they never move watermarks.
   */
  readonly shardDirectory?: ShardDirectory;
  /**
   * Powertools idempotency on each delivered batch range. Repairs leave it
   * out: a redriven range was recorded when it failed.
   * @default true
   */
  readonly batchIdempotency?: boolean;
  /** A window store instead of the aggregates table (benches stub it). */
  readonly windowStore?: WindowStore;
  /** A late-event output instead of the late-events table. */
  readonly sideOutput?: LateEventSink & RejectedRecordSink;
  /** A completion log instead of the delivery table's. */
  readonly completions?: CompletionLog;
  /** A duplicate ledger instead of the delivery table's; false: none (producer re-sends are then counted again). */
  readonly duplicates?: DuplicateLedger | false;
}

/** The aggregator and the parts its caller needs too. */
export interface AssembledAggregator {
  readonly aggregator: WindowedAggregator;
  /** The late-event output; it also takes the records no retry can process. */
  readonly sideOutput: LateEventSink & RejectedRecordSink;
  /** Present with batch idempotency: each invocation registers its context with it. */
  readonly batches: PowertoolsBatchIdempotency | undefined;
}

/**
 * The one place the aggregator is wired: its window store, late-event output,
 * completion log, duplicate ledger, batch idempotency and shard directory,
 * from the function's settings. The handler, the repair commands and the
 * benches all assemble it here, so they run the same consumer.
 */
export function createAggregator(settings: AggregatorSettings, clients: AggregatorClients, options: CreateAggregatorOptions): AssembledAggregator {
  const { documents } = clients;
  const batches = options.batchIdempotency === false ? undefined : new PowertoolsBatchIdempotency(settings.idempotencyTable, settings.streamRetentionHours, clients.dynamodb);
  const sideOutput = options.sideOutput ?? new DynamoLateEventStore(settings.lateEventsTable, settings.lateEventRetentionDays, documents);
  const duplicates = options.duplicates === false ? undefined : (options.duplicates ?? new DynamoDuplicateLedger(settings.deliveryTable, settings.dedupeHorizonHours, documents));
  const guards: DeliveryGuards = {
    completions: options.completions ?? new DynamoCompletionLog(settings.deliveryTable, settings.streamRetentionHours, documents),
    ...(batches ? { batches } : {}),
    ...(duplicates ? { duplicates } : {}),
  };
  const aggregator = new WindowedAggregator(
    options.metrics.map(compileMetric),
    options.windowStore ?? new DynamoWindowStore({ tableName: settings.aggregatesTable, retentionDays: settings.aggregateRetentionDays, client: documents }),
    sideOutput,
    options.shardDirectory ?? new KinesisShardDirectory(settings.streamName, clients.kinesis),
    guards,
    { progressCacheMs: settings.progressCacheMs },
  );
  return { aggregator, sideOutput, batches };
}
