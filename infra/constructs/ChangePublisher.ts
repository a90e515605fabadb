import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { createDeadLetterQueue } from './createDeadLetterQueue';
import { createTributaryFunction } from './createTributaryFunction';

export interface ChangePublisherProps {
  /** The aggregates table, with its NEW_AND_OLD_IMAGES stream. */
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  /** The rejected-records output (the late-events table), for changes no retry can publish. */
  readonly rejectsTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
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
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    this.deadLetterQueue = createDeadLetterQueue(this);
    this.function = createTributaryFunction(this, 'Function', {
      name: 'changes',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        TOPIC_ARN: this.topic.topicArn,
        IDEMPOTENCY_TABLE: props.idempotencyTable.tableName,
        LATE_EVENTS_TABLE: props.rejectsTable.tableName,
        LATE_EVENT_RETENTION_DAYS: String(props.config.storage.lateEventRetentionDays),
      },
    });
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: props.config.aggregator.maxRetryAttempts,
        maxRecordAge: Duration.seconds(props.config.aggregator.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    this.topic.grantPublish(this.function);
    props.idempotencyTable.grantReadWriteData(this.function);
    props.rejectsTable.grantWriteData(this.function);
  }
}
