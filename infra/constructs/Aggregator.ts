import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { createStreamConsumer } from './createStreamConsumer';

export interface AggregatorProps {
  readonly stream: kinesis.IStream;
  readonly table: dynamodb.ITable;
  readonly lateEventsTable: dynamodb.ITable;
  /** The completion log the DLQ redrive consults, and the duplicate ledger. */
  readonly deliveryTable: dynamodb.ITable;
  /** Powertools idempotency records, one per delivered batch range. */
  readonly idempotencyTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
}

/**
 * The stream consumer: a function on a Kinesis event source mapping with the
 * failure handling a stream needs — partial batch responses, bisect on error,
 * bounded retries and record age, and an encrypted SQS on-failure destination.
 */
export class Aggregator extends Construct {
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: AggregatorProps) {
    super(scope, id);
    const settings = props.config.aggregator;
    const consumer = createStreamConsumer(this, props.stream, settings, {
      name: 'aggregator',
      metrics: props.config.metrics,
      memorySize: settings.memorySizeMb,
      environment: {
        // A batch's decoded events live until its windows are written; with V8's default
        // 16 MB semi-space each scavenge copies them and promotes them, which was most of
        // the gap between the hot path and bare JSON parsing (bench/aggregate.ts).
        NODE_OPTIONS: `--enable-source-maps --max-semi-space-size=${semiSpaceMb(settings.memorySizeMb)}`,
        AGGREGATES_TABLE: props.table.tableName,
        AGGREGATE_RETENTION_DAYS: String(props.config.storage.aggregateRetentionDays),
        LATE_EVENTS_TABLE: props.lateEventsTable.tableName,
        LATE_EVENT_RETENTION_DAYS: String(props.config.storage.lateEventRetentionDays),
        DELIVERY_TABLE: props.deliveryTable.tableName,
        STREAM_RETENTION_HOURS: String(props.config.stream.retentionHours),
        DEDUPE_HORIZON_HOURS: String(settings.dedupeHorizonHours),
        IDEMPOTENCY_TABLE: props.idempotencyTable.tableName,
        // ListShards: every shard must report before the watermark passes it.
        STREAM_NAME: props.stream.streamName,
      },
    });
    this.function = consumer.function;
    this.deadLetterQueue = consumer.deadLetterQueue;
    props.table.grantReadWriteData(this.function);
    props.lateEventsTable.grantWriteData(this.function);
    props.deliveryTable.grantReadWriteData(this.function);
    props.idempotencyTable.grantReadWriteData(this.function);
  }
}

/** Young-generation semi-space for a function of `memorySizeMb`: 1/16 of it, 16..64 MB. */
export function semiSpaceMb(memorySizeMb: number): number {
  return Math.min(64, Math.max(16, Math.floor(memorySizeMb / 16)));
}
