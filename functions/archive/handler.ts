import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { DynamoEventStore } from '../../adapters/dynamodb/DynamoEventStore';
import { DynamoLateEventStore } from '../../adapters/dynamodb/DynamoLateEventStore';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { archiveRecords } from './archiveRecords';

const logger = new Logger({ serviceName: 'tributary-archive' });
const settings = readFunctionEnvironment('archive', process.env);
// Off unless POWERTOOLS_TRACE_ENABLED and in Lambda: then each batch write is a subsegment.
const tracer = new Tracer({ serviceName: 'tributary-archive' });
const documents = createDocumentClient(tracer.captureAWSv3Client(createDynamoDbClient()));
const store = new DynamoEventStore(settings.eventsTable, settings.eventRetentionDays, documents);
const rejects = new DynamoLateEventStore(settings.lateEventsTable, settings.lateEventRetentionDays, documents);

/** Kinesis ESM consumer: every accepted event into the raw events table. */
export const handler = traceHandler(tracer, async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
  logger.addContext(context);
  try {
    const outcome = await archiveRecords(event.Records, store, rejects, Date.now());
    for (const rejected of outcome.rejected) logger.error('record rejected: it can never be processed', { reason: rejected.reason, shardId: rejected.shardId, sequenceNumber: rejected.sequenceNumber, subSequence: rejected.subSequence });
    return outcome.response;
  } catch (error) {
    // Never swallow: the ESM retries (bisecting) and finally sends the batch to the DLQ.
    logger.error('batch failed', { error: error as Error, records: event.Records.length });
    throw error;
  }
});
