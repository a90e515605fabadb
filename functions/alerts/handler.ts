import { SNSClient } from '@aws-sdk/client-sns';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { sdkClientConfig } from '../../adapters/aws/sdkClientConfig';
import { retryStats } from '../../adapters/aws/RetryStats';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { loadBundledMetrics } from '../../config/loadBundledMetrics';
import { createAlertEvaluator } from './createAlertEvaluator';

const logger = new Logger({ serviceName: 'tributary-alerts' });
const cloudWatch = new Metrics({ namespace: 'Tributary', serviceName: 'tributary-alerts' });
const settings = readFunctionEnvironment('alerts', process.env);
const tracer = new Tracer({ serviceName: 'tributary-alerts' });
const sns = tracer.captureAWSv3Client(new SNSClient({ ...sdkClientConfig('sns') }));
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const processor = new BatchProcessor(EventType.DynamoDBStreams);
const alerts = createAlertEvaluator(
  settings,
  loadBundledMetrics(),
  { sns, dynamodb, documents: createDocumentClient(dynamodb) },
  {
    onPublished: (alert) => {
      logger.info('metric alert published', { alert });
      cloudWatch.addMetric('MetricAlertsPublished', MetricUnit.Count, 1);
    },
    // One raw line per document, not through console (which Lambda prefixes): CloudWatch Logs extracts EMF from the line itself.
    onBusinessMetrics: (document) => void process.stdout.write(`${JSON.stringify(document)}\n`),
  },
);

/**
 * The aggregates table's change stream → alert transitions (`metric-alert` on
 * the alert topic) and business metrics (EMF), for the windows it finalises.
 * Records are processed in order; a failing one is reported alone (partial
 * batch response) and retried from there, then bisected, then sent to this
 * function's own DLQ — never swallowed.
 */
export const handler = traceHandler(tracer, async (event: DynamoDBStreamEvent, context: Context) => {
  logger.addContext(context);
  alerts.registerContext(context);
  try {
    return await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        try {
          await alerts.processRecord(record, () => context.getRemainingTimeInMillis());
        } catch (error) {
          logger.error('change not evaluated', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
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
