import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type IngestBody, parseIngestBody } from '../../core/envelope/parseIngestBody';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { RequestError } from '../../core/errors';
import { jsonResponse } from '../../adapters/apigateway/jsonResponse';
import { createKinesisClient } from '../../adapters/kinesis/createKinesisClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { ingestEvents } from './ingestEvents';
import { ingestAggregationOf } from './ingestAggregationOf';
import { INGEST_METRICS } from '../../core/observability/INGEST_METRICS';

const logger = new Logger({ serviceName: 'tributary-ingest' });
const cloudWatch = new Metrics({ namespace: INGEST_METRICS.namespace, serviceName: INGEST_METRICS.serviceDimension.value });
// Off unless POWERTOOLS_TRACE_ENABLED and in Lambda: then each PutRecords is a subsegment of the request's trace.
const tracer = new Tracer({ serviceName: 'tributary-ingest' });
const kinesis = tracer.captureAWSv3Client(createKinesisClient());
const { streamName, ingestAggregateMaxBytes } = readFunctionEnvironment('ingest', process.env);
const aggregation = ingestAggregationOf(ingestAggregateMaxBytes, kinesis, streamName);

/** POST /events: one event or `{ "events": [...] }` → per-event accepted / rejected / failed. */
export const handler = traceHandler(tracer, async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'];
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    return jsonResponse(415, { message: `Content-Type must be application/json (got ${contentType}); with curl add -H 'content-type: application/json'` });
  }
  let body: IngestBody;
  try {
    body = parseIngestBody(event.body, event.isBase64Encoded);
  } catch (error) {
    if (error instanceof RequestError) return jsonResponse(error.statusCode, { message: error.message });
    throw error;
  }
  const result = await ingestEvents(body.events, body.batch, { kinesis, streamName, ...(aggregation ? { aggregation } : {}) }, body.dataTexts);
  if (result.failed > 0) {
    logger.warn('events not written to Kinesis after retries', { failed: result.failed, accepted: result.accepted, recordsWritten: result.recordsWritten });
  }
  if (result.shardMapError !== undefined) logger.warn('shard map unreadable: events packed per key instead of per shard', { error: result.shardMapError });
  // Records per event (KPL aggregation's effect) as metric math over these two; a request that wrote nothing emits nothing.
  if (result.recordsWritten > 0) {
    cloudWatch.addMetric(INGEST_METRICS.eventsAccepted, MetricUnit.Count, result.accepted);
    cloudWatch.addMetric(INGEST_METRICS.recordsWritten, MetricUnit.Count, result.recordsWritten);
    cloudWatch.publishStoredMetrics();
  }
  const headers: Record<string, string> = result.statusCode === 503 ? { 'retry-after': '1' } : {};
  const { statusCode, recordsWritten: _recordsWritten, shardMapError: _shardMapError, ...payload } = result;
  return jsonResponse(statusCode, payload, headers);
});
