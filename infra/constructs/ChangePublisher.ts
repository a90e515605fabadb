import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeTableStreamConsumer } from './acknowledgeTableStreamConsumer';
import { functionEnvironment } from '../../config/functionEnvironment';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { createDeadLetterQueue } from './createDeadLetterQueue';
import { createTributaryFunction, functionBaseline } from './createTributaryFunction';
import { grantTableActions } from './grantTableActions';

export interface ChangePublisherProps {
  /** The aggregates table, with its NEW_AND_OLD_IMAGES stream. */
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  /** The rejected-records output (the late-events table), for changes no retry can publish. */
  readonly rejectsTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
  /** The stack's customer-managed key, if any: the topic, the DLQ and the function's logs. @default AWS-managed keys */
  readonly key?: kms.IKey;
}

/**
 * The aggregates table's change stream → `count-value-updated` on an SNS topic.
 * SNS rather than EventBridge: fan-out to any number of SQS queues, HTTP
 * endpoints and functions with attribute filters (metric, final) is all
 * dashboards and services need, and it runs offline on fauxqs with the same
 * bundle; EventBridge's content routing would add a hop and has no emulator
 * here. The mapping fails per record (partial batch response), bisects,
 * retries boundedly and ends in its own DLQ.
 */
export class ChangePublisher extends Construct {
  public readonly topic: sns.Topic;
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: ChangePublisherProps) {
    super(scope, id);
    if (!props.table.tableStreamArn) throw new Error('ChangePublisher needs the aggregates table with its stream enabled');
    this.topic = new sns.Topic(this, 'CountValueUpdated', {
      displayName: 'Tributary count-value-updated',
      // SNS has no default encryption: the AWS-managed key unless the stack has its own.
      masterKey: props.key ?? kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    this.deadLetterQueue = createDeadLetterQueue(this, props.key);
    const settings = props.config.changes;
    this.function = createTributaryFunction(this, 'Function', {
      name: 'changes',
      memorySize: settings.memorySizeMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      baseline: functionBaseline(props.config, props.key),
      environment: functionEnvironment('changes', props.config, {
        topicArn: this.topic.topicArn,
        idempotencyTable: props.idempotencyTable.tableName,
        lateEventsTable: props.rejectsTable.tableName,
      }),
    });
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: settings.batchSize,
        bisectBatchOnError: true,
        retryAttempts: settings.maxRetryAttempts,
        maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    this.topic.grantPublish(this.function);
    // Powertools idempotency: put INPROGRESS, get on conflict, update to COMPLETED, delete when the publish fails.
    grantTableActions(this.function, props.idempotencyTable, ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem']);
    // DynamoLateEventStore: batch writes only.
    grantTableActions(this.function, props.rejectsTable, ['BatchWriteItem']);
    acknowledgeTableStreamConsumer(this.function);
  }
}
