import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { DynamoEventStore } from '../../shared/storage/DynamoEventStore';
import { archiveRecords } from './archiveRecords';

const logger = new Logger({ serviceName: 'tributary-archive' });
const store = DynamoEventStore.fromEnvironment();

/** Kinesis ESM consumer: every accepted event into the raw events table. */
export const handler = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
  logger.addContext(context);
  try {
    const outcome = await archiveRecords(event.Records, store);
    if (outcome.poison) logger.error('poison record isolated; retrying from it', { error: outcome.poison.message, archived: outcome.archived });
    return outcome.response;
  } catch (error) {
    // Never swallow: the ESM retries (bisecting) and finally sends the batch to the DLQ.
    logger.error('batch failed', { error: error as Error, records: event.Records.length });
    throw error;
  }
};
