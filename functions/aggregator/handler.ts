import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { loadBundledMetrics } from '../../shared/config/loadBundledMetrics';
import { compileMetric } from '../../shared/metrics/compileMetric';
import { DynamoAggregateStore } from '../../shared/storage/DynamoAggregateStore';
import { aggregateRecords } from './aggregateRecords';

const logger = new Logger({ serviceName: 'tributary-aggregator' });
const metrics = loadBundledMetrics().map(compileMetric);
const store = DynamoAggregateStore.fromEnvironment();

/** Kinesis ESM consumer: event-time windowed aggregates into the aggregates table. */
export const handler = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
  logger.addContext(context);
  try {
    const outcome = await aggregateRecords(event.Records, metrics, store);
    if (outcome.poison) logger.error('poison record isolated; retrying from it', { error: outcome.poison.message, applied: outcome.applied });
    logger.debug('batch applied', { records: event.Records.length, windowsWritten: outcome.windowsWritten });
    return outcome.response;
  } catch (error) {
    // Never swallow: the ESM retries (bisecting) and finally sends the batch to the DLQ.
    logger.error('batch failed', { error: error as Error, records: event.Records.length });
    throw error;
  }
};
