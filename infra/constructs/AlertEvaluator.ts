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
import { AlertStateTable } from './AlertStateTable';
import { createDeadLetterQueue } from './createDeadLetterQueue';
import { createTributaryFunction, functionBaseline } from './createTributaryFunction';
import { grantTableActions } from './grantTableActions';
import type { TableStorageProps } from './tableProtection';

export interface AlertEvaluatorProps {
  /** The aggregates table, with its NEW_AND_OLD_IMAGES stream. */
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
  /** How the alert-state table is kept; its `key` is the stack's customer-managed key, if any (also the topic's, the DLQ's and the logs'). */
  readonly storage: TableStorageProps;
}

/**
 * Alerts on windowed metrics: a second consumer of the aggregates table's
 * stream (its own event source mapping, so a failing alert never holds up
 * `count-value-updated`) evaluates each window as it becomes final and
 * publishes `metric-alert` transitions on its own encrypted SNS topic, and
 * the chosen business metrics as EMF. The mapping takes the change
 * publisher's settings (`changes.*`: both read the same stream), fails per
 * record (partial batch response), bisects, retries boundedly and ends in
 * this function's own DLQ.
 */
export class AlertEvaluator extends Construct {
  public readonly topic: sns.Topic;
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly stateTable: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: AlertEvaluatorProps) {
    super(scope, id);
    if (!props.table.tableStreamArn) throw new Error('AlertEvaluator needs the aggregates table with its stream enabled');
    const key = props.storage.key;
    this.topic = new sns.Topic(this, 'MetricAlert', {
      displayName: 'Tributary metric-alert',
      // SNS has no default encryption: the AWS-managed key unless the stack has its own.
      masterKey: key ?? kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    this.stateTable = new AlertStateTable(this, 'States', props.storage).table;
    this.deadLetterQueue = createDeadLetterQueue(this, key);
    const settings = props.config.changes;
    this.function = createTributaryFunction(this, 'Function', {
      name: 'alerts',
      memorySize: settings.memorySizeMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      baseline: functionBaseline(props.config, key),
      metrics: props.config.metrics,
      environment: functionEnvironment('alerts', props.config, {
        topicArn: this.topic.topicArn,
        idempotencyTable: props.idempotencyTable.tableName,
        alertStateTable: this.stateTable.tableName,
        aggregatesTable: props.table.tableName,
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
        // Only windows that just became final: every other change (open windows, bookkeeping) never invokes it.
        filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.or('INSERT', 'MODIFY'), dynamodb: { NewImage: { finalAt: { N: lambda.FilterRule.exists() } } } })],
      }),
    );
    this.topic.grantPublish(this.function);
    // DynamoAlertStateStore: a consistent GetItem, a conditional PutItem, a conditional UpdateItem (clearing pending).
    grantTableActions(this.function, this.stateTable, ['GetItem', 'PutItem', 'UpdateItem']);
    // Powertools idempotency: put INPROGRESS, get on conflict, update to COMPLETED, delete when the publish fails.
    grantTableActions(this.function, props.idempotencyTable, ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem']);
    // DynamoGroupWindows: one group's windows, when finalisations come out of order.
    grantTableActions(this.function, props.table, ['Query']);
    acknowledgeTableStreamConsumer(this.function);
  }
}
