import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { sdkClientConfig } from '../aws/sdkClientConfig';
import { recognizeLandedPuts } from './recognizeLandedPuts';

/**
 * The DynamoDB client every Tributary function uses (directly, under the
 * document client and under Powertools idempotency): the retry policy instead
 * of the SDK's retries, retried puts that find their own item recognised as
 * landed, and timeouts, so that a connection that never answers is a
 * retryable TimeoutError instead of a hung invocation. The endpoint comes
 * from AWS_ENDPOINT_URL_DYNAMODB when set (the offline runtime sets it).
 * Options passed in win over these (tests pass a request handler).
 */
export function createDynamoDbClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    // requestTimeout is the socket's idle time, not the request's duration: DynamoDB answers in milliseconds.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
    ...sdkClientConfig('dynamodb'),
    ...config,
  });
  recognizeLandedPuts(client);
  return client;
}
