import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

const snsMock = mockClient(SNSClient);
const dynamoMock = mockClient(DynamoDBClient);
const documentMock = mockClient(DynamoDBDocumentClient);
let handler: (event: DynamoDBStreamEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
const T = Date.UTC(2026, 10, 22, 12, 0);
const context = { functionName: 'changes', awsRequestId: 'r1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const windowChange = (sequence: string): DynamoDBRecord => ({
  eventID: sequence,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:us-east-1:0:table/Aggregates/stream/2026',
  dynamodb: {
    SequenceNumber: sequence,
    ApproximateCreationDateTime: T / 1000,
    NewImage: marshall({ pk: 'orders#eu', windowStart: T, metric: 'orders', group: 'eu', windowEnd: T + 60_000, eventCount: 1, lateEvents: 0, values: { orders: 1 }, version: 1 }) as never,
  },
});

describe('Function: changes handler', () => {
  beforeAll(async () => {
    process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:0:topic';
    process.env.IDEMPOTENCY_TABLE = 'idempotency';
    process.env.LATE_EVENTS_TABLE = 'late';
    process.env.LATE_EVENT_RETENTION_DAYS = '30';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    ({ handler } = await import('../../../functions/changes/handler'));
  });
  beforeEach(() => {
    snsMock.reset();
    dynamoMock.reset();
    documentMock.reset();
    dynamoMock.on(PutItemCommand).resolves({});
    dynamoMock.on(UpdateItemCommand).resolves({});
    dynamoMock.on(GetItemCommand).resolves({});
    documentMock.on(BatchWriteCommand).resolves({});
  });

  it('sends a change SNS refuses as invalid to the rejected output and moves on, but retries a throttled one', async () => {
    // Prepare: the first publish is refused for good, the second throttled every time, the third fine.
    snsMock
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Invalid parameter: Message too long'), { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } }))
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    // Act
    const response = await handler({ Records: [windowChange('100'), windowChange('200')] }, context);

    // Assess: the refused change is in the rejected output; the throttled one is reported for retry.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    const rejected = documentMock.commandCalls(BatchWriteCommand).flatMap((call) => call.args[0].input.RequestItems!.late!.map((request) => request.PutRequest!.Item!));
    expect(rejected).toEqual([expect.objectContaining({ sequenceNumber: '100', reason: 'Change 100 cannot be published: Invalid parameter: Message too long' })]);
  }, 30_000);
});
