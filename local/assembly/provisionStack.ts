import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  ResourceInUseException as StreamInUseException,
} from '@aws-sdk/client-kinesis';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { LocalClients } from '../aws/localClients';
import { LOCAL_ACCOUNT, LOCAL_REGION, type EmulatorEndpoints } from '../emulators/Emulators';
import type { SynthesizedStack, TemplateResource } from './CloudAssembly';
import type { LocalDynamoDbMapping, LocalFunction, LocalKinesisMapping, LocalPlan } from './LocalPlan';
import { localPseudoParameters } from './localPseudoParameters';
import { notEmulatedResources } from './notEmulatedResources';
import { planAlarms } from './planAlarms';
import { planRestApis } from './planRestApis';
import { planSchedules } from './planSchedules';
import { resolveIntrinsics, type IntrinsicContext, type ResolvedResource } from './resolveIntrinsics';
import { TableMismatchError } from './TableMismatchError';

/**
 * Creates the template's streams, tables and queues in the emulators and
 * resolves everything the function host needs (function bundles and
 * environments, event source mappings, API routes) from the same template that
 * deploys to AWS, so local and cloud cannot drift. Safe to run twice.
 */
export async function provisionStack(stack: SynthesizedStack, endpoints: EmulatorEndpoints, clients: LocalClients): Promise<LocalPlan> {
  const resources = Object.entries(stack.template.Resources);
  const resolved = new Map<string, ResolvedResource>();
  const context: IntrinsicContext = {
    resources: resolved,
    pseudo: localPseudoParameters(stack.stackName),
  };
  const physical: Record<string, { type: string; physicalId: string }> = {};
  const notEmulated = notEmulatedResources(stack.template.Resources);

  // Names and ARNs every other resource can refer to, before anything is created.
  for (const [logicalId, resource] of resources) {
    const placeholder = placeholderFor(logicalId, resource);
    if (placeholder) resolved.set(logicalId, placeholder);
  }

  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::Kinesis::Stream')) {
    const props = resource.Properties ?? {};
    const shardCount = Number(props.ShardCount ?? 1);
    try {
      await clients.kinesis.send(new CreateStreamCommand({ StreamName: logicalId, ShardCount: shardCount }));
    } catch (error) {
      if (!(error instanceof StreamInUseException)) throw error;
    }
    await waitForStreamActive(clients, logicalId);
    const retentionHours = Number(props.RetentionPeriodHours ?? 24);
    // A stream kept from the last run already has it; Kinesis refuses an "increase" to the current value.
    const summary = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: logicalId }));
    if (retentionHours > (summary.StreamDescriptionSummary?.RetentionPeriodHours ?? 24)) {
      await clients.kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: logicalId, RetentionPeriodHours: retentionHours }));
    }
    physical[logicalId] = { type: resource.Type, physicalId: logicalId };
  }

  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
    const props = resolveIntrinsics(resource.Properties ?? {}, context) as Record<string, unknown>;
    await createTable(clients, logicalId, props);
    const description = await clients.dynamodb.send(new DescribeTableCommand({ TableName: logicalId }));
    const streamArn = description.Table?.LatestStreamArn;
    resolved.set(logicalId, {
      ref: logicalId,
      attributes: { Arn: description.Table?.TableArn ?? tableArn(logicalId), ...(streamArn ? { StreamArn: streamArn } : {}) },
    });
    physical[logicalId] = { type: resource.Type, physicalId: logicalId };
  }

  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::SQS::Queue')) {
    const props = resolveIntrinsics(resource.Properties ?? {}, context) as Record<string, unknown>;
    const fifo = props.FifoQueue === true || props.FifoQueue === 'true';
    const queueName = fifo ? `${logicalId}.fifo` : logicalId;
    const attributes: Record<string, string> = {};
    for (const name of ['MessageRetentionPeriod', 'VisibilityTimeout', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'MaximumMessageSize']) {
      if (props[name] !== undefined) attributes[name] = String(props[name]);
    }
    if (props.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(props.RedrivePolicy);
    if (fifo) attributes.FifoQueue = 'true';
    const created = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
    const queueUrl = created.QueueUrl!;
    const queueAttributes = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    resolved.set(logicalId, {
      ref: queueUrl,
      attributes: { Arn: queueAttributes.Attributes?.QueueArn ?? queueArn(queueName), QueueName: queueName, QueueUrl: queueUrl },
    });
    physical[logicalId] = { type: resource.Type, physicalId: queueUrl };
  }

  // Topics live in fauxqs beside the queues (it serves SNS and SQS on one port).
  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
    const created = await clients.sns.send(new CreateTopicCommand({ Name: logicalId }));
    const topicArn = created.TopicArn!;
    resolved.set(logicalId, { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: logicalId } });
    physical[logicalId] = { type: resource.Type, physicalId: topicArn };
  }

  const functions: LocalFunction[] = resources
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => toLocalFunction(logicalId, resource, stack, context));

  const kinesisMappings: LocalKinesisMapping[] = [];
  const dynamoDbMappings: LocalDynamoDbMapping[] = [];
  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')) {
    const kinesis = toKinesisMapping(logicalId, resource, resources, context, functions);
    const dynamoDb = kinesis ? undefined : toDynamoDbMapping(logicalId, resource, resources, context, functions);
    if (kinesis) kinesisMappings.push(kinesis);
    else if (dynamoDb) dynamoDbMappings.push(dynamoDb);
    else notEmulated.push({ logicalId, type: resource.Type, reason: 'UNSUPPORTED offline: only Kinesis and DynamoDB Streams event sources are polled locally' });
  }

  const { schedules, unplanned } = planSchedules(resources, context, functions);
  notEmulated.push(...unplanned);
  // Alarms are evaluated offline; one whose metric nothing produces here is listed with why.
  const alarms = planAlarms(stack);
  for (const alarm of alarms) {
    if (alarm.notEvaluatedReason !== undefined) notEmulated.push({ logicalId: alarm.logicalId, type: 'AWS::CloudWatch::Alarm', reason: `not evaluated offline: ${alarm.notEvaluatedReason}` });
  }

  return {
    stackName: stack.stackName,
    endpoints,
    functions,
    kinesisMappings,
    dynamoDbMappings,
    restApis: planRestApis(stack),
    schedules,
    resources: physical,
    notEmulated,
    alarms,
  };
}

function placeholderFor(logicalId: string, resource: TemplateResource): ResolvedResource | undefined {
  switch (resource.Type) {
    case 'AWS::Kinesis::Stream':
      return { ref: logicalId, attributes: { Arn: `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${logicalId}` } };
    case 'AWS::Kinesis::StreamConsumer': {
      // Not registered offline (enhanced fan-out is not emulated): the ARN only lets a mapping on it find its stream.
      const consumerArn = `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${consumerStreamOf(resource) ?? 'unknown'}/consumer/${logicalId}:0`;
      return { ref: consumerArn, attributes: { ConsumerARN: consumerArn, ConsumerName: logicalId } };
    }
    case 'AWS::DynamoDB::Table':
      return { ref: logicalId, attributes: { Arn: tableArn(logicalId) } };
    case 'AWS::SQS::Queue':
      return { ref: logicalId, attributes: { Arn: queueArn(logicalId), QueueName: logicalId } };
    case 'AWS::Lambda::Function':
      return { ref: logicalId, attributes: { Arn: functionArn(logicalId) } };
    case 'AWS::IAM::Role':
      return { ref: logicalId, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${logicalId}`, RoleId: logicalId } };
    case 'AWS::ApiGateway::RestApi':
      return { ref: logicalId, attributes: { RootResourceId: `${logicalId}/` } };
    default:
      return { ref: logicalId, attributes: {} };
  }
}

const tableArn = (name: string): string => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
const queueArn = (name: string): string => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
const functionArn = (name: string): string => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

async function waitForStreamActive(clients: LocalClients, streamName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const summary = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Stream ${streamName} did not become ACTIVE`);
}

async function createTable(clients: LocalClients, tableName: string, props: Record<string, unknown>): Promise<void> {
  const input: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: (props.BillingMode as 'PAY_PER_REQUEST' | 'PROVISIONED' | undefined) ?? 'PROVISIONED',
    ...(props.ProvisionedThroughput ? { ProvisionedThroughput: props.ProvisionedThroughput as CreateTableCommandInput['ProvisionedThroughput'] } : {}),
    ...(props.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] } : {}),
    ...(props.LocalSecondaryIndexes ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes as CreateTableCommandInput['LocalSecondaryIndexes'] } : {}),
    ...(props.StreamSpecification
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: (props.StreamSpecification as { StreamViewType: 'NEW_AND_OLD_IMAGES' }).StreamViewType } }
      : {}),
  };
  if (input.BillingMode === 'PROVISIONED' && !input.ProvisionedThroughput) {
    input.ProvisionedThroughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  }
  try {
    await clients.dynamodb.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    // Kept from the last run (the data directory survives restarts): reuse it if it is still the template's table.
    const existing = await clients.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    assertSameTable(tableName, input, existing.Table);
    return;
  }
  const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  if (ttl?.Enabled && ttl.AttributeName) {
    await clients.dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }),
    );
  }
}

/**
 * A kept table whose keys differ from the template's would make every write
 * fail with a ValidationException far from the cause, and one without the
 * template's stream would leave its consumer with nothing to poll: refuse at
 * start, naming both and the way out.
 */
function assertSameTable(tableName: string, wanted: CreateTableCommandInput, existing: TableDescription | undefined): void {
  const describe = (keys: readonly KeySchemaElement[] | undefined, attributes: readonly AttributeDefinition[] | undefined): string =>
    (keys ?? [])
      .map((key) => `${key.AttributeName} ${key.KeyType} ${attributes?.find((attribute) => attribute.AttributeName === key.AttributeName)?.AttributeType ?? '?'}`)
      .join(', ');
  const wantedKeys = describe(wanted.KeySchema, wanted.AttributeDefinitions);
  const existingKeys = describe(existing?.KeySchema, existing?.AttributeDefinitions);
  const wantsStream = wanted.StreamSpecification?.StreamEnabled === true;
  const hasStream = existing?.StreamSpecification?.StreamEnabled === true;
  const problems = [
    ...(wantedKeys !== existingKeys ? [`its key schema is (${existingKeys}) but the template's is (${wantedKeys})`] : []),
    ...(wantsStream !== hasStream ? [`it has ${hasStream ? 'a' : 'no'} stream but the template's has ${wantsStream ? 'one' : 'none'}`] : []),
  ];
  if (problems.length > 0) throw new TableMismatchError(tableName, problems);
}

function toLocalFunction(logicalId: string, resource: TemplateResource, stack: SynthesizedStack, context: IntrinsicContext): LocalFunction {
  const props = resource.Properties ?? {};
  const code = props.Code as { S3Key?: unknown; ZipFile?: string } | undefined;
  const objectKey = code?.S3Key === undefined ? undefined : String(resolveIntrinsics(code.S3Key, context));
  const codeDir = objectKey ? stack.assetDirs.get(objectKey) : undefined;
  if (!codeDir) {
    throw new Error(`Function ${logicalId} has no bundled asset in the cloud assembly (inline or image code is not supported offline)`);
  }
  const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    try {
      environment[name] = String(resolveIntrinsics(value, context));
    } catch (error) {
      throw new Error(`Function ${logicalId}: environment variable ${name}: ${(error as Error).message}`);
    }
  }
  return {
    logicalId,
    functionName: logicalId,
    functionArn: functionArn(logicalId),
    codeDir,
    handler: String(props.Handler ?? 'index.handler'),
    timeoutSeconds: Number(props.Timeout ?? 3),
    memorySizeMb: Number(props.MemorySize ?? 128),
    environment,
  };
}

function toKinesisMapping(
  logicalId: string,
  resource: TemplateResource,
  resources: readonly [string, TemplateResource][],
  context: IntrinsicContext,
  functions: readonly LocalFunction[],
): LocalKinesisMapping | undefined {
  const props = resolveIntrinsics(resource.Properties ?? {}, context) as Record<string, unknown>;
  const mappedArn = String(props.EventSourceArn);
  // A mapping on an enhanced fan-out consumer polls the consumer's stream with GetRecords offline (notEmulatedResources).
  const consumer = resources.find(([id, candidate]) => candidate.Type === 'AWS::Kinesis::StreamConsumer' && context.resources.get(id)?.attributes.ConsumerARN === mappedArn);
  const consumerStream = consumer ? consumerStreamOf(consumer[1]) : undefined;
  const sourceArn = consumerStream ? (context.resources.get(consumerStream)?.attributes.Arn ?? mappedArn) : mappedArn;
  const streamEntry = resources.find(
    ([id, candidate]) => candidate.Type === 'AWS::Kinesis::Stream' && context.resources.get(id)?.attributes.Arn === sourceArn,
  );
  if (!streamEntry) return undefined;
  const common = commonMappingProps(logicalId, props, context, functions);
  return {
    ...common,
    streamName: streamEntry[0],
    streamArn: sourceArn,
    startingPosition: (props.StartingPosition as LocalKinesisMapping['startingPosition']) ?? 'LATEST',
    ...(props.StartingPositionTimestamp !== undefined ? { startingPositionTimestamp: Number(props.StartingPositionTimestamp) } : {}),
    parallelizationFactor: Number(props.ParallelizationFactor ?? 1),
  };
}

/** The logical id of the stream a stream consumer is registered on (`StreamARN: { Fn::GetAtt: [stream, Arn] }`). */
function consumerStreamOf(resource: TemplateResource): string | undefined {
  const streamArn = resource.Properties?.StreamARN as { 'Fn::GetAtt'?: unknown[] } | undefined;
  const target = streamArn?.['Fn::GetAtt']?.[0];
  return typeof target === 'string' ? target : undefined;
}

/** A mapping on the stream of one of the stack's tables, for the local DynamoDB Streams poller; undefined for other sources. */
function toDynamoDbMapping(
  logicalId: string,
  resource: TemplateResource,
  resources: readonly [string, TemplateResource][],
  context: IntrinsicContext,
  functions: readonly LocalFunction[],
): LocalDynamoDbMapping | undefined {
  const props = resolveIntrinsics(resource.Properties ?? {}, context) as Record<string, unknown>;
  const sourceArn = String(props.EventSourceArn);
  const tableEntry = resources.find(([id, candidate]) => candidate.Type === 'AWS::DynamoDB::Table' && context.resources.get(id)?.attributes.StreamArn === sourceArn);
  if (!tableEntry) return undefined;
  return {
    ...commonMappingProps(logicalId, props, context, functions),
    tableName: tableEntry[0],
    streamArn: sourceArn,
    startingPosition: (props.StartingPosition as LocalDynamoDbMapping['startingPosition']) ?? 'LATEST',
  };
}

/** The properties every stream mapping shares: target function, batching, failure handling. */
function commonMappingProps(logicalId: string, props: Record<string, unknown>, context: IntrinsicContext, functions: readonly LocalFunction[]) {
  const functionName = String(props.FunctionName);
  const target = functions.find((fn) => fn.functionName === functionName || fn.functionArn === functionName);
  if (!target) throw new Error(`Event source mapping ${logicalId} targets ${functionName}, which is not a function of the stack`);
  const onFailureArn = (props.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure?.Destination;
  let onFailureQueueUrl: string | undefined;
  if (onFailureArn) {
    const queue = [...context.resources.values()].find((candidate) => candidate.attributes.Arn === onFailureArn && candidate.attributes.QueueUrl);
    if (!queue) throw new Error(`Event source mapping ${logicalId}: on-failure destination ${onFailureArn} is not an SQS queue of the stack (only SQS is supported offline)`);
    onFailureQueueUrl = queue.attributes.QueueUrl;
  }
  const responseTypes = (props.FunctionResponseTypes as string[] | undefined) ?? [];
  return {
    logicalId,
    functionLogicalId: target.logicalId,
    batchSize: Number(props.BatchSize ?? 100),
    maxBatchingWindowSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
    bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
    maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? -1),
    maximumRecordAgeSeconds: Number(props.MaximumRecordAgeInSeconds ?? -1),
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
    enabled: props.Enabled !== false,
    ...(onFailureQueueUrl ? { onFailureQueueUrl } : {}),
  };
}
