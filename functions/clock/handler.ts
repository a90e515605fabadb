import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { retryStats } from '../../adapters/aws/RetryStats';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { loadBundledMetrics } from '../../config/loadBundledMetrics';
import type { ClockTick } from '../../core/aggregator/WatermarkClock';
import { createClock } from './createClock';

const logger = new Logger({ serviceName: 'tributary-clock' });
// Its own service dimension: the aggregator's WindowsFinalized stays what batches finalised.
const cloudWatch = new Metrics({ namespace: 'Tributary', serviceName: 'tributary-clock' });
const settings = readFunctionEnvironment('clock', process.env);
const tracer = new Tracer({ serviceName: 'tributary-clock' });
const clock = createClock(settings, createDocumentClient(tracer.captureAWSv3Client(createDynamoDbClient())), { metrics: loadBundledMetrics() });

/**
 * The idle-finalisation tick, on an EventBridge schedule: advances the
 * watermark of each metric with `watermark.advanceWhenIdleMs` whose shards
 * have all been idle that long, and finalises the windows it passed. An error
 * is thrown, never swallowed: Lambda retries the asynchronous invocation and
 * then sends the event to the function's DLQ (a later tick does the same work
 * anyway: each one computes the watermark from scratch).
 */
export const handler = traceHandler(tracer, async (event: ScheduledEvent, context: Context): Promise<ClockTick> => {
  logger.addContext(context);
  try {
    const tick = await clock.tick(Date.now());
    if (tick.advanced.length > 0) logger.info('idle watermarks advanced', { scheduledAt: event.time, ...tick });
    cloudWatch.addMetric('IdleWatermarkAdvances', MetricUnit.Count, tick.advanced.length);
    cloudWatch.addMetric('WindowsFinalized', MetricUnit.Count, tick.windowsFinalized);
    cloudWatch.addMetric('WriteConflicts', MetricUnit.Count, tick.writeConflicts);
    return tick;
  } catch (error) {
    logger.error('idle tick failed', { error: error as Error, scheduledAt: event.time });
    cloudWatch.addMetric('TicksFailed', MetricUnit.Count, 1);
    throw error;
  } finally {
    cloudWatch.addMetric('RequestsRetried', MetricUnit.Count, retryStats.take());
    cloudWatch.publishStoredMetrics();
  }
});
