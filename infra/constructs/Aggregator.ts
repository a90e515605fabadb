import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionEnvironment } from '../../config/functionEnvironment';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { AGGREGATE_KEYS } from '../../adapters/dynamodb/aggregateKeys';
import { createStreamConsumer } from './createStreamConsumer';
import { functionBaseline } from './createTributaryFunction';
import { grantTableActions } from './grantTableActions';

export interface AggregatorProps {
  readonly stream: kinesis.IStream;
  readonly table: dynamodb.ITable;
  readonly lateEventsTable: dynamodb.ITable;
  /** The completion log the DLQ redrive consults, and the duplicate ledger. */
  readonly deliveryTable: dynamodb.ITable;
  /** Powertools idempotency records, one per delivered batch range. */
  readonly idempotencyTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
  /** The stack's customer-managed key, if any: the function's logs and its DLQ. */
  readonly key?: kms.IKey;
}

/**
 * The stream consumer: a function on a Kinesis event source mapping with the
 * failure handling a stream needs — partial batch responses, bisect on error,
 * bounded retries and record age, and an encrypted SQS on-failure destination.
 */
export class Aggregator extends Construct {
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;
  /** Its enhanced fan-out consumer, with `aggregator.enhancedFanOut`. */
  public readonly streamConsumer?: kinesis.StreamConsumer;

  public constructor(scope: Construct, id: string, props: AggregatorProps) {
    super(scope, id);
    const settings = props.config.aggregator;
    // One poller per shard: the shard's progress and its windows' marks need its records in order
    // (resolveConfig refuses any other factor; docs/decisions/0014-one-batch-per-shard.md).
    const consumer = createStreamConsumer(this, props.stream, settings, {
      name: 'aggregator',
      metrics: props.config.metrics,
      baseline: functionBaseline(props.config, props.key),
      memorySize: settings.memorySizeMb,
      environment: functionEnvironment('aggregator', props.config, {
        aggregatesTable: props.table.tableName,
        lateEventsTable: props.lateEventsTable.tableName,
        deliveryTable: props.deliveryTable.tableName,
        idempotencyTable: props.idempotencyTable.tableName,
        // ListShards: every shard must report before the watermark passes it.
        streamName: props.stream.streamName,
      }),
    }, props.key);
    this.function = consumer.function;
    this.deadLetterQueue = consumer.deadLetterQueue;
    if (consumer.streamConsumer) this.streamConsumer = consumer.streamConsumer;
    // What adapters/dynamodb/DynamoWindowStore sends: reads, conditional puts and updates, and the
    // deletes of merged sessions inside TransactWriteItems (a transaction needs its items' actions).
    grantTableActions(this.function, props.table, ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], { queriedIndexes: [AGGREGATE_KEYS.pendingIndex] });
    // DynamoLateEventStore: batch writes only.
    grantTableActions(this.function, props.lateEventsTable, ['BatchWriteItem']);
    // DynamoCompletionLog and DynamoDuplicateLedger: puts and queries.
    grantTableActions(this.function, props.deliveryTable, ['PutItem', 'Query']);
    // Powertools idempotency: put INPROGRESS, get on conflict, update to COMPLETED, delete when the batch fails.
    grantTableActions(this.function, props.idempotencyTable, ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem']);
  }
}
