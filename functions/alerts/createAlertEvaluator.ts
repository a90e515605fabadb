import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { DynamoAlertStateStore } from '../../adapters/dynamodb/DynamoAlertStateStore';
import { DynamoGroupWindows } from '../../adapters/dynamodb/DynamoGroupWindows';
import type { FunctionSettings } from '../../config/functionEnvironment';
import { AlertEvaluator } from '../../core/alerting/AlertEvaluator';
import { businessMetricDocument, type EmfDocument } from '../../core/alerts/businessMetricDocument';
import type { MetricAlert } from '../../core/alerts/MetricAlert';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import { waitOutCrashedLock } from '../../adapters/powertools/waitOutCrashedLock';
import { finalWindowOf } from './finalWindowOf';

/** The clients the evaluator works through. */
export interface AlertEvaluatorClients {
  readonly sns: SNSClient;
  /** Powertools writes its idempotency records through the plain client. */
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
}

/** What the caller hears of (the handler turns these into logs, metrics and EMF lines). */
export interface AlertEvaluatorHooks {
  /** A transition was sent to SNS (not called for one the idempotency record shows sent). */
  readonly onPublished?: (alert: MetricAlert) => void;
  /** A final window of a published group: its business metrics, as one EMF document. */
  readonly onBusinessMetrics?: (document: EmfDocument) => void;
}

/** What became of one change record. */
export type AlertOutcome = 'evaluated' | 'ignored';

/** Evaluates the alerts and publishes the business metrics of the windows the aggregates stream finalises. */
export interface AlertFunction {
  /** Each invocation registers its context: a lock it leaves behind by crashing expires with that context's deadline. */
  registerContext(context: Pick<Context, 'getRemainingTimeInMillis'>): void;
  /** Processes one change; throws on any failure, so the caller fails the record and the mapping retries from it. */
  processRecord(record: DynamoDBRecord, remainingMs: () => number): Promise<AlertOutcome>;
}

/**
 * The one place the alert function is wired: the state machine over the
 * alert-state table, its transitions published to SNS behind Powertools
 * idempotency keyed on the transition id — the change publisher's mechanism,
 * with the same wait for a crashed invocation's lock.
 */
export function createAlertEvaluator(settings: FunctionSettings<'alerts'>, metrics: readonly MetricDefinition[], clients: AlertEvaluatorClients, hooks: AlertEvaluatorHooks = {}): AlertFunction {
  // 24 h: a redelivered change comes within the DynamoDB stream's retention, and pending transitions are published on the next try.
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'transitionId', expiresAfterSeconds: 86_400 });
  const publishOnce = makeIdempotent(
    async (alert: MetricAlert): Promise<{ published: true }> => {
      await clients.sns.send(
        new PublishCommand({
          TopicArn: settings.topicArn,
          Message: JSON.stringify(alert),
          // Subscribers filter on these without parsing the body (a page for `raised` only, one metric's alerts).
          MessageAttributes: {
            type: { DataType: 'String', StringValue: alert.type },
            metric: { DataType: 'String', StringValue: alert.metric },
            alert: { DataType: 'String', StringValue: alert.alert },
            state: { DataType: 'String', StringValue: alert.state },
          },
        }),
      );
      hooks.onPublished?.(alert);
      return { published: true } as const;
    },
    { persistenceStore: new DynamoDBPersistenceLayer({ tableName: settings.idempotencyTable, awsSdkV3Client: clients.dynamodb }), config: idempotency, keyPrefix: 'tributary.alerts.transition' },
  );
  let remaining: () => number = () => 0;
  const evaluator = new AlertEvaluator(
    metrics,
    new DynamoAlertStateStore(settings.alertStateTable, clients.documents),
    { publish: async (alert) => void (await waitOutCrashedLock(() => publishOnce(alert), remaining)) },
    new DynamoGroupWindows(settings.aggregatesTable, clients.documents),
    { stateRetentionMs: settings.aggregateRetentionDays * 86_400_000 },
  );
  const definitions = new Map(metrics.map((metric) => [metric.name, metric]));
  return {
    registerContext: (context) => idempotency.registerLambdaContext(context as Context),
    processRecord: async (record, remainingMs) => {
      const change = finalWindowOf(record);
      const definition = change && definitions.get(change.window.metric);
      if (!change || !definition) return 'ignored';
      remaining = remainingMs;
      if (evaluator.watches(definition.name)) await evaluator.evaluate(change.window, change.groupKey);
      // After the alerts: a retried record emits its data point again, which the charts' statistics do not notice.
      const document = businessMetricDocument(definition, change.window);
      if (document) hooks.onBusinessMetrics?.(document);
      return 'evaluated';
    },
  };
}
