import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { loadBundledMetrics } from '../../config/loadBundledMetrics';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { retryStats } from '../../adapters/aws/RetryStats';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { aggregateRecords } from '../../adapters/kinesis/aggregateRecords';
import { createKinesisClient } from '../../adapters/kinesis/createKinesisClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { createAggregator } from './createAggregator';

const logger = new Logger({ serviceName: 'tributary-aggregator' });
// CloudWatch EMF: the late-event SLO (< 1 %) divides LateEvents by EventsCounted.
const cloudWatch = new Metrics({ namespace: 'Tributary', serviceName: 'tributary-aggregator' });
const settings = readFunctionEnvironment('aggregator', process.env);
// Off unless POWERTOOLS_TRACE_ENABLED and in Lambda: then every DynamoDB and Kinesis request is a subsegment.
const tracer = new Tracer({ serviceName: 'tributary-aggregator' });
// Every request (windows, ledger, completions, Powertools' batch records) follows the retry policy.
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const clients = { dynamodb, documents: createDocumentClient(dynamodb), kinesis: tracer.captureAWSv3Client(createKinesisClient()) };
const { aggregator, sideOutput, batches } = createAggregator(settings, clients, { metrics: loadBundledMetrics() });

/** Kinesis ESM consumer: event-time windows, watermarks and late events. */
export const handler = traceHandler(tracer, async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
  logger.addContext(context);
  // An INPROGRESS batch record of a crashed invocation expires with this deadline, not an hour later.
  batches?.registerLambdaContext(context);
  try {
    const outcome = await aggregateRecords(event.Records, aggregator, sideOutput, Date.now());
    for (const rejected of outcome.rejected) logger.error('record rejected: it can never be processed', { reason: rejected.reason, shardId: rejected.shardId, sequenceNumber: rejected.sequenceNumber });
    if (outcome.summary && outcome.summary.lateEvents > 0) logger.warn('late events sent to the late-event output', { lateEvents: outcome.summary.lateEvents });
    logger.debug('batch applied', { records: event.Records.length, ...outcome.summary });
    if (outcome.summary) {
      cloudWatch.addMetric('EventsCounted', MetricUnit.Count, outcome.summary.eventsCounted);
      cloudWatch.addMetric('LateEvents', MetricUnit.Count, outcome.summary.lateEvents);
      cloudWatch.addMetric('WindowsWritten', MetricUnit.Count, outcome.summary.windowsWritten);
      cloudWatch.addMetric('WindowsFinalized', MetricUnit.Count, outcome.summary.windowsFinalized);
      cloudWatch.addMetric('WriteConflicts', MetricUnit.Count, outcome.summary.writeConflicts);
      // Window applications skipped because the window already held the event: redeliveries made harmless.
      cloudWatch.addMetric('RedeliveriesSkipped', MetricUnit.Count, outcome.summary.redeliveriesSkipped);
      // Producer duplicates dropped; the duplicate-rate SLO counts what got past this.
      cloudWatch.addMetric('DuplicatesDropped', MetricUnit.Count, outcome.summary.duplicatesDropped);
      if (!outcome.summary.applied) logger.info('batch range completed before: windows left as they are', { records: event.Records.length });
    }
    cloudWatch.addMetric('RecordsRejected', MetricUnit.Count, outcome.rejected.length);
    return outcome.response;
  } catch (error) {
    // Never swallow: the ESM retries (bisecting) and finally sends the batch to the DLQ.
    logger.error('batch failed', { error: error as Error, records: event.Records.length });
    cloudWatch.addMetric('BatchesFailed', MetricUnit.Count, 1);
    throw error;
  } finally {
    // Faults the retry policy absorbed inside this invocation.
    cloudWatch.addMetric('RequestsRetried', MetricUnit.Count, retryStats.take());
    cloudWatch.publishStoredMetrics();
  }
});
