import type { LocalAlarm } from '../alarms/LocalAlarm';
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

/** How API Gateway authenticates a method's callers (`AuthorizationType` in the template). */
export type LocalAuthorizationType = 'AWS_IAM' | 'NONE';

/** One REST API route: `POST /events` → function. */
export interface LocalRoute {
  readonly httpMethod: string;
  /** Resource path with its parameters, e.g. `/metrics/{name}`. */
  readonly resourcePath: string;
  readonly functionLogicalId: string;
  /** `AWS_IAM`: a SigV4 signature whose identity a managed policy allows; `NONE`: anyone. */
  readonly authorizationType: LocalAuthorizationType;
  /** The caller must also send an API key (`x-api-key`) of a usage plan of the stage. */
  readonly apiKeyRequired: boolean;
  /**
   * Query strings and headers a request validator requires, as API Gateway
   * names them (`querystring.key`, `header.x-trace`); path parameters are
   * required by the route's pattern itself.
   */
  readonly requiredParameters: readonly string[];
}

/** A steady rate and the requests allowed at once above it (a token bucket's refill and size). */
export interface LocalThrottle {
  readonly rateLimitPerSecond: number;
  readonly burstLimit: number;
}

/** A usage plan's quota: requests per calendar period (UTC). */
export interface LocalQuota {
  readonly limit: number;
  readonly period: 'DAY' | 'WEEK' | 'MONTH';
}

/** An API key of a usage plan; its value offline comes from credentials.json (`apiKeys[producer]`). */
export interface LocalApiKey {
  /** What API Gateway reports as `apiKeyId` (its 10-character key id). */
  readonly id: string;
  /** `Name` in the template, e.g. `tributary-shop`. */
  readonly name: string;
  /** The producer the key belongs to (`Name` without `tributary-`). */
  readonly producer: string;
  readonly enabled: boolean;
}

/** A usage plan on this API's stage with the keys it meters. */
export interface LocalUsagePlan {
  readonly name: string;
  readonly throttle?: LocalThrottle;
  readonly quota?: LocalQuota;
  readonly apiKeys: readonly LocalApiKey[];
}

/** One statement of a managed policy, resources resolved to ARNs (`arn:aws:execute-api:…:<apiId>/v1/POST/events`). */
export interface LocalPolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** A managed policy of the stack that names this API, by its stack output (`ProducerPolicyArn` → `ProducerPolicy`). */
export interface LocalManagedPolicy {
  readonly name: string;
  readonly logicalId: string;
  readonly statements: readonly LocalPolicyStatement[];
}

/** A CORS preflight (a MOCK `OPTIONS` method): the headers its integration response sets, and for which origins. */
export interface LocalCorsPreflight {
  readonly resourcePath: string;
  readonly statusCode: number;
  /** Origins the MOCK answers with `Access-Control-Allow-Origin` (the static one and those its response template echoes). */
  readonly allowedOrigins: readonly string[];
  /** Its other response headers (`Access-Control-Allow-Methods`, `Vary`, …), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface LocalRestApi {
  readonly logicalId: string;
  readonly restApiId: string;
  /** `Name` of the RestApi: the `ApiName` dimension of its CloudWatch metrics. */
  readonly name?: string;
  readonly stageName: string;
  readonly routes: readonly LocalRoute[];
  /** The stage's method setting for every resource and method; beyond it API Gateway answers 429. */
  readonly stageThrottle?: LocalThrottle;
  readonly usagePlans: readonly LocalUsagePlan[];
  readonly managedPolicies: readonly LocalManagedPolicy[];
  readonly corsPreflights: readonly LocalCorsPreflight[];
}

/**
 * An EventBridge schedule rule targeting one of the stack's functions: the
 * host invokes it every `intervalMs` asynchronously, as EventBridge does, with
 * Lambda's async retries and on-failure queue.
 */
export interface LocalSchedule {
  /** The rule's logical id. */
  readonly logicalId: string;
  readonly ruleArn: string;
  readonly scheduleExpression: string;
  readonly intervalMs: number;
  readonly functionLogicalId: string;
  /** The target's constant `Input` (JSON text); absent: EventBridge's Scheduled Event. */
  readonly input?: string;
  /** Retries of a failed invocation (the function's EventInvokeConfig, Lambda's default 2). */
  readonly maximumRetryAttempts: number;
  /** Where an event goes after its last failed attempt: the function's DeadLetterConfig or OnFailure SQS queue. */
  readonly onFailureQueueUrl?: string;
  /**
   * How Lambda writes the failed event there: a DeadLetterConfig queue gets the
   * event itself with ErrorCode/ErrorMessage attributes, an OnFailure
   * destination an invocation record wrapping it.
   */
  readonly onFailureFormat?: 'dead-letter' | 'destination';
}

/** Everything the function host needs, written by the supervisor as JSON. */
export interface LocalPlan {
  readonly stackName: string;
  readonly endpoints: EmulatorEndpoints;
  readonly functions: readonly LocalFunction[];
  readonly kinesisMappings: readonly LocalKinesisMapping[];
  readonly dynamoDbMappings: readonly LocalDynamoDbMapping[];
  readonly restApis: readonly LocalRestApi[];
  readonly schedules: readonly LocalSchedule[];
  /** Logical id → physical name/URL of provisioned streams, tables and queues. */
  readonly resources: Readonly<Record<string, { type: string; physicalId: string }>>;
  /** Template resources with no offline behaviour, each with the reason. */
  readonly notEmulated: readonly { logicalId: string; type: string; reason: string }[];
  /** The CloudWatch alarms the host evaluates (planAlarms); absent in a plan written before alarms were evaluated. */
  readonly alarms?: readonly LocalAlarm[];
}
