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
import { metricSloMetricsOf, sloMetricsOf } from '../../core/observability/sloMetricsOf';
import { SLO_METRICS } from '../../core/observability/SLO_METRICS';
import { createAggregator } from './createAggregator';

const logger = new Logger({ serviceName: 'tributary-aggregator' });
// CloudWatch EMF, what the objectives' alarms read: late ÷ (late + counted) < 1 %, DuplicatesDropped ÷ (counted +
// dropped), ConsumerLagMs p95 < 5 s, BatchDurationMs p95 < 10 s (infra/constructs/PipelineMonitoring).
const cloudWatch = new Metrics({ namespace: SLO_METRICS.namespace, serviceName: SLO_METRICS.serviceDimension.value });
// One more EMF object per metric definition and batch, dimensions service and Metric (the lag p95 and watermark
// delay of each definition): one log line per definition the batch touched, and two custom metrics per definition
// in the bundled config (a definition list is short; nothing caps it, so its cost grows with it).
const perMetric = new Map<string, Metrics>();
const metricsFor = (metric: string): Metrics => {
  let metrics = perMetric.get(metric);
  if (!metrics) {
    metrics = new Metrics({ namespace: SLO_METRICS.namespace, serviceName: SLO_METRICS.serviceDimension.value, defaultDimensions: { [SLO_METRICS.metricDimension]: metric } });
    perMetric.set(metric, metrics);
  }
  return metrics;
};
const settings = readFunctionEnvironment('aggregator', process.env);
// Off unless POWERTOOLS_TRACE_ENABLED and in Lambda: then every DynamoDB and Kinesis request is a subsegment.
const tracer = new Tracer({ serviceName: 'tributary-aggregator' });
// Every request (windows, ledger, completions, Powertools' batch records) follows the retry policy.
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const clients = { dynamodb, documents: createDocumentClient(dynamodb), kinesis: tracer.captureAWSv3Client(createKinesisClient()) };
const { aggregator, sideOutput, batches } = createAggregator(settings, clients, { metrics: loadBundledMetrics() });

/** Kinesis ESM consumer: event-time windows, watermarks and late events. */
export const handler = traceHandler(tracer, async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
  const startedAtMs = Date.now();
  logger.addContext(context);
  // An INPROGRESS batch record of a crashed invocation expires with this deadline, not an hour later.
  batches?.registerLambdaContext(context);
  try {
    const outcome = await aggregateRecords(event.Records, aggregator, sideOutput, startedAtMs);
    for (const rejected of outcome.rejected) logger.error('record rejected: it can never be processed', { reason: rejected.reason, shardId: rejected.shardId, sequenceNumber: rejected.sequenceNumber, subSequence: rejected.subSequence });
    if (outcome.summary && outcome.summary.lateEvents > 0) logger.warn('late events sent to the late-event output', { lateEvents: outcome.summary.lateEvents });
    const { lagSampleTimesMs: _sample, lagSampleTimesMsByMetric: _samples, ...counts } = outcome.summary ?? {};
    logger.debug('batch applied', { records: event.Records.length, ...counts });
    // Measured once the windows are written: the delay a reader of the windows sees.
    const timing = { startedAtMs, completedAtMs: Date.now() };
    // The same name added again makes an EMF array: CloudWatch takes each value for its percentiles.
    for (const metric of sloMetricsOf(outcome.summary, timing)) for (const value of metric.values) cloudWatch.addMetric(metric.name, MetricUnit.Milliseconds, value);
    for (const { metric, values } of metricSloMetricsOf(outcome.summary, timing)) {
      const metrics = metricsFor(metric);
      for (const series of values) for (const value of series.values) metrics.addMetric(series.name, MetricUnit.Milliseconds, value);
      metrics.publishStoredMetrics();
    }
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
