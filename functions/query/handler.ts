import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readFunctionEnvironment } from '../../config/functionEnvironment';
import { loadBundledMetrics } from '../../config/loadBundledMetrics';
import { RequestError } from '../../core/errors';
import { jsonResponse, rawJsonResponse } from '../../adapters/apigateway/jsonResponse';
import { compileMetric } from '../../core/metrics/compileMetric';
import { DynamoEventStore } from '../../adapters/dynamodb/DynamoEventStore';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { traceHandler } from '../../adapters/xray/traceHandler';
import { openDocumentReads } from '../../adapters/dynamodb/openDocumentReads';
import { WindowQueries } from '../../adapters/dynamodb/WindowQueries';
import { corsHeaders, originOf } from './corsHeaders';
import { eventsResponseJson, queryEvents } from './queryEvents';
import { queryMetric } from './queryMetric';

const logger = new Logger({ serviceName: 'tributary-query' });
// Off unless POWERTOOLS_TRACE_ENABLED and in Lambda. DAX's client has no middleware stack to capture: its reads show as the handler's time.
const tracer = new Tracer({ serviceName: 'tributary-query' });
const dynamodb = tracer.captureAWSv3Client(createDynamoDbClient());
const metrics = loadBundledMetrics().map(compileMetric);
const settings = readFunctionEnvironment('query', process.env);
// Through DAX when the stack has a cluster, else DynamoDB directly.
const windows = new WindowQueries(openDocumentReads(settings, dynamodb), settings.aggregatesTable);
// Reads only: the archive writes the events, with their retention.
const events = new DynamoEventStore(settings.eventsTable, undefined, createDocumentClient(dynamodb), settings.cursorSigningKey);

/** GET /metrics/{name}: a metric's windows; GET /events: raw events of a key or a type. */
export const handler = traceHandler(tracer, async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  // Errors too: a dashboard should see the 400's message, not a CORS failure.
  const cors = corsHeaders(originOf(event.headers), settings.corsOrigins);
  try {
    const params = event.queryStringParameters ?? {};
    if (event.resource === '/events') return rawJsonResponse(200, eventsResponseJson(await queryEvents(events, params, Date.now())), cors);
    return jsonResponse(200, await queryMetric(metrics, windows, event.pathParameters?.name, params, Date.now()), cors);
  } catch (error) {
    if (error instanceof RequestError) return jsonResponse(error.statusCode, { message: error.message }, cors);
    logger.error('query failed', { error: error as Error });
    return jsonResponse(500, { message: 'Internal error; see the query function logs' }, cors);
  }
});
