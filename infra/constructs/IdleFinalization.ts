import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionEnvironment } from '../../config/functionEnvironment';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { AGGREGATE_KEYS } from '../../adapters/dynamodb/aggregateKeys';
import { createDeadLetterQueue } from './createDeadLetterQueue';
import { createTributaryFunction, functionBaseline } from './createTributaryFunction';
import { grantTableActions } from './grantTableActions';

export interface IdleFinalizationProps {
  /** The aggregates table: the watermark item, the shards' progress and the windows. */
  readonly table: dynamodb.ITable;
  readonly config: ResolvedConfig;
  /** The stack's customer-managed key, if any: the function's logs and its DLQ. */
  readonly key?: kms.IKey;
}

/** Lambda's retries of a failed tick before its event goes to the DLQ (Lambda's own default, stated). */
const TICK_RETRY_ATTEMPTS = 2;

/**
 * Idle finalisation: the clock function (functions/clock) on an EventBridge
 * schedule of one minute — EventBridge's smallest rate, and so the latency
 * a window can take beyond its metric's `advanceWhenIdleMs` — invoked
 * asynchronously: a failed tick is retried twice, then its invocation
 * record (event, error) lands in the function's own encrypted DLQ, its
 * OnFailure destination. The stack creates it only when some
 * metric sets `watermark.advanceWhenIdleMs`.
 */
export class IdleFinalization extends Construct {
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rule: events.Rule;

  public constructor(scope: Construct, id: string, props: IdleFinalizationProps) {
    super(scope, id);
    this.deadLetterQueue = createDeadLetterQueue(this, props.key);
    this.function = createTributaryFunction(this, 'Function', {
      name: 'clock',
      baseline: functionBaseline(props.config, props.key),
      metrics: props.config.metrics,
      // A tick reads one partition and finalises what one minute of processing time passed: seconds, not minutes.
      timeout: Duration.seconds(60),
      environment: functionEnvironment('clock', props.config, { aggregatesTable: props.table.tableName }),
      asyncFailure: { retryAttempts: TICK_RETRY_ATTEMPTS, onFailureQueue: this.deadLetterQueue },
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Its asynchronous failures go to an OnFailure destination (EventInvokeConfig), its own encrypted SQS queue: the successor of a function DLQ that keeps the error and the attempts with the event; a DeadLetterConfig would only be a second queue for the same failures',
    });
    // What WatermarkClock sends through DynamoWindowStore: readWatermarks (Query), advanceWatermarks (conditional
    // PutItem), finalizeWindows (Query on the pending index, conditional UpdateItem). No window is written otherwise.
    grantTableActions(this.function, props.table, ['Query', 'PutItem', 'UpdateItem'], { queriedIndexes: [AGGREGATE_KEYS.pendingIndex] });
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Idle finalisation: advances idle metrics\' watermarks with processing time (watermark.advanceWhenIdleMs)',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // The target's own retries and DLQ cover EventBridge failing to invoke (throttling, a missing permission).
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: TICK_RETRY_ATTEMPTS, deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
