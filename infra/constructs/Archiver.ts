import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionEnvironment } from '../../config/functionEnvironment';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { createStreamConsumer } from './createStreamConsumer';
import { functionBaseline } from './createTributaryFunction';
import { grantTableActions } from './grantTableActions';

export interface ArchiverProps {
  readonly stream: kinesis.IStream;
  readonly eventsTable: dynamodb.ITable;
  /** Where records that are not events go (the side-output table's rejected partition). */
  readonly rejectsTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
  /** The stack's customer-managed key, if any: the function's logs and its DLQ. */
  readonly key?: kms.IKey;
}

/**
 * The second stream consumer: every accepted event into the raw events table.
 * Its own mapping (own checkpoints, failures never block the aggregator) and
 * its own on-failure queue, so a redrive knows which consumer a message is for.
 */
export class Archiver extends Construct {
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: ArchiverProps) {
    super(scope, id);
    const consumer = createStreamConsumer(this, props.stream, props.config.archive, {
      name: 'archive',
      memorySize: props.config.archive.memorySizeMb,
      baseline: functionBaseline(props.config, props.key),
      environment: functionEnvironment('archive', props.config, { eventsTable: props.eventsTable.tableName, lateEventsTable: props.rejectsTable.tableName }),
    }, props.key);
    this.function = consumer.function;
    this.deadLetterQueue = consumer.deadLetterQueue;
    // DynamoEventStore: batch writes, and single puts for an item a batch could not take.
    grantTableActions(this.function, props.eventsTable, ['BatchWriteItem', 'PutItem']);
    grantTableActions(this.function, props.rejectsTable, ['BatchWriteItem']);
  }
}
