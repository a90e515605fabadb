import type { EmulatorEndpoints } from '../emulators/Emulators';

/** A function as the local host runs it: the bundle from cdk.out with its resolved environment. */
export interface LocalFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** Directory of the bundle (cdk.out/asset.<hash>). */
  readonly codeDir: string;
  /** `index.handler` → file `index.js`, export `handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly environment: Readonly<Record<string, string>>;
}

/** What every stream event source mapping has, resolved from the template. */
export interface LocalStreamMapping {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly streamArn: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 retries forever (until the record expires). */
  readonly maximumRetryAttempts: number;
  /** -1 means no age limit. */
  readonly maximumRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly enabled: boolean;
  /** Queue URL of the on-failure destination, when one is set. */
  readonly onFailureQueueUrl?: string;
}

/** A Kinesis event source mapping. */
export interface LocalKinesisMapping extends LocalStreamMapping {
  readonly streamName: string;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  readonly startingPositionTimestamp?: number;
  readonly parallelizationFactor: number;
}

/** A DynamoDB Streams event source mapping. */
export interface LocalDynamoDbMapping extends LocalStreamMapping {
  readonly tableName: string;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
}

/** One REST API route: `POST /events` → function. */
export interface LocalRoute {
  readonly httpMethod: string;
  /** Resource path with its parameters, e.g. `/metrics/{name}`. */
  readonly resourcePath: string;
  readonly functionLogicalId: string;
}

export interface LocalRestApi {
  readonly logicalId: string;
  readonly restApiId: string;
  readonly stageName: string;
  readonly routes: readonly LocalRoute[];
}

/** Everything the function host needs, written by the supervisor as JSON. */
export interface LocalPlan {
  readonly stackName: string;
  readonly endpoints: EmulatorEndpoints;
  readonly functions: readonly LocalFunction[];
  readonly kinesisMappings: readonly LocalKinesisMapping[];
  readonly dynamoDbMappings: readonly LocalDynamoDbMapping[];
  readonly restApis: readonly LocalRestApi[];
  /** Logical id → physical name/URL of provisioned streams, tables and queues. */
  readonly resources: Readonly<Record<string, { type: string; physicalId: string }>>;
  /** Template resources with no offline behaviour, each with the reason. */
  readonly notEmulated: readonly { logicalId: string; type: string; reason: string }[];
}
