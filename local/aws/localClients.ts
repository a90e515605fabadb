import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { EmulatorEndpoints } from '../emulators/Emulators';
import { LOCAL_REGION } from '../emulators/Emulators';
import { QUIET_SDK_LOGGER } from '../../adapters/aws/QUIET_SDK_LOGGER';
import { documentTranslationCopy } from '../../adapters/dynamodb/documentTranslation';

/** Credentials the emulators accept (they do not check them). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** SDK clients pointed at the emulators, over HTTP/1.1 (kinesis-mock's plain port has no HTTP/2). */
export interface LocalClients {
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  /** fauxqs serves SNS on the SQS port. */
  readonly sns: SNSClient;
}

export function createLocalClients(endpoints: EmulatorEndpoints): LocalClients {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000 }), logger: QUIET_SDK_LOGGER };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  return {
    kinesis: new KinesisClient({ ...common, endpoint: endpoints.kinesis }),
    dynamodb,
    streams: new DynamoDBStreamsClient({ ...common, endpoint: endpoints.dynamodb }),
    documents: DynamoDBDocumentClient.from(dynamodb, documentTranslationCopy()),
    sqs: new SQSClient({ ...common, endpoint: endpoints.sqs }),
    sns: new SNSClient({ ...common, endpoint: endpoints.sqs }),
  };
}

/** The environment a function needs to reach the emulators through the SDK's own endpoint variables. */
export function localAwsEnvironment(endpoints: EmulatorEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sqs,
  };
}
