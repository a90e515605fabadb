import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AGGREGATE_KEYS } from '../../adapters/dynamodb/aggregateKeys';
import { EVENT_KEYS } from '../../adapters/dynamodb/eventKeys';
import { functionEnvironment } from '../../config/functionEnvironment';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { createDeadLetterQueue } from './createDeadLetterQueue';
import { createTributaryFunction, functionBaseline } from './createTributaryFunction';
import { grantTableActions } from './grantTableActions';

export interface CorrectnessAuditProps {
  readonly aggregatesTable: dynamodb.ITable;
  readonly eventsTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
  /** The stack's customer-managed key, if any: the function's logs and its DLQ. */
  readonly key?: kms.IKey;
}

/** Retries of a failed run before its event goes to the DLQ (EventBridge's and Lambda's async default is 2 as well). */
const RUN_RETRY_ATTEMPTS = 2;

/** The longest an asynchronous event may wait for its retries (Lambda's limit, 6 h). */
const MAX_EVENT_AGE_SECONDS = 21_600;

/**
 * The continuous correctness audit: the audit function on an EventBridge
 * schedule (`audit.scheduleMinutes`), invoked asynchronously. A run that
 * fails is retried twice by Lambda and then lands in its own DLQ (the
 * asynchronous invocation's on-failure destination; EventBridge's target
 * DLQ for an event it could not deliver), which the dashboard's DLQ section
 * watches with the other three. It may only Query the two indexes it reads.
 */
export class CorrectnessAudit extends Construct {
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly schedule: events.Rule;

  public constructor(scope: Construct, id: string, props: CorrectnessAuditProps) {
    super(scope, id);
    this.deadLetterQueue = createDeadLetterQueue(
      this,
      props.key,
      "This queue is itself the dead-letter queue: the on-failure destination of the audit's asynchronous invocations (and its schedule target's DLQ). It only holds failure records, which the operator reads and purges (docs/operations/runbooks.md), so a queue behind it would have nothing to catch",
    );
    this.function = createTributaryFunction(this, 'Function', {
      name: 'audit',
      baseline: functionBaseline(props.config, props.key),
      metrics: props.config.metrics,
      memorySize: 512,
      // A run reads at most windowsPerRun ranges of raw events; a minute leaves room for a slow one.
      timeout: Duration.seconds(60),
      environment: functionEnvironment('audit', props.config, {
        aggregatesTable: props.aggregatesTable.tableName,
        eventsTable: props.eventsTable.tableName,
      }),
    });
    // An on-failure destination rather than a function DLQ: its record carries the error with the
    // event (requestContext, responsePayload). The destination grants the role SendMessage and, with
    // a customer-managed key, the key's encrypt actions. A run older than one interval (at most
    // Lambda's 6 h) is not retried: the next run has started by then. No reserved concurrency: runs
    // overlap only when retries meet the next run, and both only read.
    this.function.configureAsyncInvoke({
      retryAttempts: RUN_RETRY_ATTEMPTS,
      maxEventAge: Duration.seconds(Math.min(props.config.audit.scheduleMinutes * 60, MAX_EVENT_AGE_SECONDS)),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "A failed run's event goes to the asynchronous invocation's on-failure destination (this construct's DeadLetterQueue, see EventInvokeConfig), which records the error as well; a function DLQ on the same queue would deliver every failure twice",
    });
    // EventBridge sends an event it could not deliver as itself: with a customer-managed key it must encrypt for SQS.
    this.deadLetterQueue.encryptionMasterKey?.grantEncrypt(new iam.ServicePrincipal('events.amazonaws.com'));
    // DynamoAuditSource: Queries only (the recent-final index; the events table and its by-type index).
    grantTableActions(this.function, props.aggregatesTable, [], { queriedIndexes: [AGGREGATE_KEYS.finalIndex] });
    // Type pages are in the table, rows archived before them in the by-type index.
    grantTableActions(this.function, props.eventsTable, ['Query'], { queriedIndexes: [EVENT_KEYS.typeIndex] });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Tributary correctness audit: recount recently final windows from the raw events',
      schedule: events.Schedule.rate(Duration.minutes(props.config.audit.scheduleMinutes)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: RUN_RETRY_ATTEMPTS, deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
