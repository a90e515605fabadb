import { SNSClient } from '@aws-sdk/client-sns';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { sdkClientConfig } from '../../adapters/aws/sdkClientConfig';
import { retryStats } from '../../adapters/aws/RetryStats';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { createChangePublisher } from './createChangePublisher';

const logger = new Logger({ serviceName: 'tributary-changes' });
const cloudWatch = new Metrics({ namespace: 'Tributary', serviceName: 'tributary-changes' });
const settings = readFunctionEnvironment('changes', process.env);
// Off unless POWERTOOLS_TRACE_ENABLED and in Lambda: then each publish and idempotency request is a subsegment.
const tracer = new Tracer({ serviceName: 'tributary-changes' });
// Both clients follow the retry policy: a throttled publish or idempotency write is retried inside the invocation.
const sns = tracer.captureAWSv3Client(new SNSClient({ ...sdkClientConfig('sns') }));
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const publisher = createChangePublisher(
  settings,
  { sns, dynamodb, documents: createDocumentClient(dynamodb) },
  {
    onPublished: () => cloudWatch.addMetric('CountValueUpdatedPublished', MetricUnit.Count, 1),
    onRejected: (record, error) => {
      logger.error('change rejected: it can never be published', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
      cloudWatch.addMetric('ChangesRejected', MetricUnit.Count, 1);
    },
  },
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
  publisher.registerContext(context);
  try {
    return await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        try {
          await publisher.publishRecord(record, () => context.getRemainingTimeInMillis());
        } catch (error) {
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
