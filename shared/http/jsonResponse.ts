import type { APIGatewayProxyResult } from 'aws-lambda';

/** An API Gateway proxy response with a JSON body. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
