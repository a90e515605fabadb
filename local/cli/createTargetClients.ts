import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATION } from '../../adapters/dynamodb/documentTranslation';
import { createLocalClients, type LocalClients } from '../aws/localClients';
import type { PipelineTarget } from './PipelineTarget';

/**
 * The SDK clients of a target: the emulators' endpoints when it has them,
 * else the SDK's defaults in the target's region (its credential chain, and
 * its endpoints, which AWS_ENDPOINT_URL_* still override).
 */
export function createTargetClients(target: Pick<PipelineTarget, 'region' | 'endpoints'>): LocalClients {
  if (target.endpoints) return createLocalClients(target.endpoints);
  const common = { region: target.region };
  const dynamodb = new DynamoDBClient(common);
  return {
    kinesis: new KinesisClient(common),
    dynamodb,
    streams: new DynamoDBStreamsClient(common),
    documents: DynamoDBDocumentClient.from(dynamodb, DOCUMENT_TRANSLATION),
    sqs: new SQSClient(common),
    sns: new SNSClient(common),
  };
}
