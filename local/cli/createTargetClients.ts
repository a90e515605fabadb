import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createDocumentClient } from '../../adapters/dynamodb/createDocumentClient';
import { createDynamoDbClient } from '../../adapters/dynamodb/createDynamoDbClient';
import { createLocalClients, type LocalClients } from '../aws/localClients';
import type { PipelineTarget } from './PipelineTarget';

/**
 * The SDK clients of a target: the emulators' endpoints when it has them,
 * else the SDK's defaults in the target's region (its credential chain, and
 * its endpoints, which AWS_ENDPOINT_URL_* still override). DynamoDB as the
 * functions send to it (createDynamoDbClient: its retry policy and landed-put
 * recognition); every client over HTTP/1.1 with a connection timeout, as the
 * functions' are, rather than the HTTP/2 the Kinesis client would negotiate.
 */
export function createTargetClients(target: Pick<PipelineTarget, 'region' | 'endpoints'>): LocalClients {
  if (target.endpoints) return createLocalClients(target.endpoints);
  const common = () => ({ region: target.region, requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000 }) });
  const dynamodb = createDynamoDbClient({ region: target.region });
  return {
    kinesis: new KinesisClient(common()),
    dynamodb,
    streams: new DynamoDBStreamsClient(common()),
    documents: createDocumentClient(dynamodb),
    // Sent to the regional endpoint (or AWS_ENDPOINT_URL_SQS), which serves every queue URL of the region, rather than to each URL's own host.
    sqs: new SQSClient({ ...common(), useQueueUrlAsEndpoint: false }),
    sns: new SNSClient(common()),
  };
}
