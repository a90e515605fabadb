import type { APIGatewayProxyResult } from 'aws-lambda';

/** An API Gateway proxy response with a JSON body. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return rawJsonResponse(statusCode, JSON.stringify(body), headers);
}

/** The same, for a body that already is JSON text (events kept as the producer wrote them). */
export function rawJsonResponse(statusCode: number, json: string, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: json,
  };
}
