import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { sdkClientConfig } from '../aws/sdkClientConfig';

/**
 * A Kinesis client on HTTP/1.1. The SDK would otherwise negotiate HTTP/2, which
 * the offline emulator's plain port does not speak; PutRecords/GetRecords work
 * the same over HTTP/1.1 on AWS. The endpoint comes from AWS_ENDPOINT_URL_KINESIS
 * when set (the offline runtime sets it), as the SDK reads it itself. Requests
 * follow the retry policy (core/retry/retryPolicy.ts), not the SDK's retries.
 */
export function createKinesisClient(): KinesisClient {
  return new KinesisClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 10_000 }),
    ...sdkClientConfig('kinesis'),
  });
}
