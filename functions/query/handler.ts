import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { loadBundledMetrics } from '../../shared/config/loadBundledMetrics';
import { RequestError } from '../../shared/errors';
import { jsonResponse } from '../../shared/http/jsonResponse';
import { compileMetric } from '../../shared/metrics/compileMetric';
import { DynamoWindowStore } from '../../shared/storage/DynamoWindowStore';
import { queryMetric } from './queryMetric';

const logger = new Logger({ serviceName: 'tributary-query' });
const metrics = loadBundledMetrics().map(compileMetric);
const store = DynamoWindowStore.fromEnvironment();

/** GET /metrics/{name}: a metric's windows for one group over a time range. */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const result = await queryMetric(metrics, store, event.pathParameters?.name, event.queryStringParameters ?? {}, Date.now());
    return jsonResponse(200, result);
  } catch (error) {
    if (error instanceof RequestError) return jsonResponse(error.statusCode, { message: error.message });
    logger.error('query failed', { error: error as Error });
    return jsonResponse(500, { message: 'Internal error; see the query function logs' });
  }
};
