import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { CountValueUpdated } from '../../core/changes/CountValueUpdated';
import { toCountValueUpdated } from './toCountValueUpdated';
import { waitOutCrashedLock } from './waitOutCrashedLock';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { PolicyRetryStrategy } from '../../adapters/aws/PolicyRetryStrategy';
import { retryStats } from '../../adapters/aws/RetryStats';
import { changeRejection, isPermanentChangeFailure } from './changeRejection';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { DynamoLateEventStore } from '../../adapters/dynamodb/DynamoLateEventStore';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { traceHandler } from '../../adapters/xray/traceHandler';

const logger = new Logger({ serviceName: 'tributary-changes' });
const cloudWatch = new Metrics({ namespace: 'Tributary', serviceName: 'tributary-changes' });
const settings = readFunctionEnvironment('changes', process.env);
// Off unless POWERTOOLS_TRACE_ENABLED and in Lambda: then each publish and idempotency request is a subsegment.
const tracer = new Tracer({ serviceName: 'tributary-changes' });
// Both clients follow the retry policy: a throttled publish or idempotency write is retried inside the invocation.
const sns = tracer.captureAWSv3Client(new SNSClient({ ...PolicyRetryStrategy.clientConfig('sns') }));
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const rejects = new DynamoLateEventStore(settings.lateEventsTable, settings.lateEventRetentionDays, createDocumentClient(dynamodb));
// One record per published change, keyed on its stream sequence number: a redelivered change is not published twice.
// Bookkeeping changes (watermarks, progress, versions) publish nothing and cost no record.
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'changeId', expiresAfterSeconds: 86_400 });

const publishOnce = makeIdempotent(
  async (event: CountValueUpdated): Promise<{ published: true }> => {
    await sns.send(
      new PublishCommand({
        TopicArn: settings.topicArn,
        Message: JSON.stringify(event),
        // Subscribers filter on these without parsing the body.
        MessageAttributes: {
          type: { DataType: 'String', StringValue: event.type },
          metric: { DataType: 'String', StringValue: event.metric },
          final: { DataType: 'String', StringValue: String(event.final) },
        },
      }),
    );
    cloudWatch.addMetric('CountValueUpdatedPublished', MetricUnit.Count, 1);
    return { published: true } as const;
  },
  { persistenceStore: new DynamoDBPersistenceLayer({ tableName: settings.idempotencyTable, awsSdkV3Client: dynamodb }), config: idempotency, keyPrefix: 'tributary.changes.record' },
);

/**
 * The aggregates table's change stream → `count-value-updated` events on the
 * SNS topic, one per window change a reader can see. Records are processed in
 * order; a failing one is reported alone (partial batch response) and retried
 * from there, never swallowed — unless no retry can help (see
 * isPermanentChangeFailure): then it goes to the rejected-records output.
 */
export const handler = traceHandler(tracer, async (event: DynamoDBStreamEvent, context: Context) => {
  logger.addContext(context);
  idempotency.registerLambdaContext(context);
  try {
    return await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        try {
          const change = toCountValueUpdated(record);
          // A change a crashed invocation left INPROGRESS is waited out rather than discarded with the rest of the batch.
          if (change) await waitOutCrashedLock(() => publishOnce(change), () => context.getRemainingTimeInMillis());
        } catch (error) {
          if (isPermanentChangeFailure(error)) {
            // No retry can publish it: into the rejected-records output with the reason, and the shard moves on.
            await rejects.reject([changeRejection(record, error)], Date.now());
            logger.error('change rejected: it can never be published', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
            cloudWatch.addMetric('ChangesRejected', MetricUnit.Count, 1);
            return;
          }
          // Reported as this record's failure (the mapping retries from it); logged here because the processor keeps only the count.
          logger.error('change not published', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
          throw error;
        }
      },
      processor,
      { context, processInParallel: false },
    );
  } finally {
    cloudWatch.addMetric('RequestsRetried', MetricUnit.Count, retryStats.take());
    cloudWatch.publishStoredMetrics();
  }
});
