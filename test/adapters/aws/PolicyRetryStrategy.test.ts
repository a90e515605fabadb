import { DynamoDBClient, GetItemCommand, PutItemCommand, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../adapters/dynamodb/createDynamoDbClient';
import { PolicyRetryStrategy } from '../../../adapters/aws/PolicyRetryStrategy';
import { RETRY_POLICY } from '../../../core/retry/retryPolicy';
import { RetryStats } from '../../../adapters/aws/RetryStats';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';

/** What the fake DynamoDB answers to one attempt: a JSON error, an item, or a dropped connection. */
type Answer = { readonly error: string; readonly status?: number; readonly body?: Record<string, unknown> } | { readonly ok: Record<string, unknown> } | 'reset';

/**
 * A request handler in place of the HTTP connection: the SDK's whole stack
 * (serialisation, the retry loop, signing, error parsing) runs for real, so
 * the strategy is tested where it is installed.
 */
function fakeDynamoDb(answers: Answer[]) {
  const attempts: { target: string; attemptHeader: string }[] = [];
  const handler = {
    handle: async (request: { headers: Record<string, string> }) => {
      attempts.push({ target: request.headers['x-amz-target'] ?? '', attemptHeader: request.headers['amz-sdk-request'] ?? '' });
      const answer = answers[Math.min(attempts.length - 1, answers.length - 1)]!;
      if (answer === 'reset') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      const [status, payload] = 'ok' in answer ? [200, answer.ok] : [answer.status ?? 400, { __type: `com.amazonaws.dynamodb.v20120810#${answer.error}`, message: `${answer.error} (fake)`, ...answer.body }];
      return { response: { statusCode: status, reason: '', headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from(JSON.stringify(payload)) } };
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, attempts };
}

/** The policy with waits of 0 (jitter draw 0): the tests count attempts, not wall time. */
const noWaits = (stats = new RetryStats({ debug: () => {} })) => new PolicyRetryStrategy('dynamodb', RETRY_POLICY, { now: () => Date.now(), random: () => 0 }, stats);
const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: 'http://127.0.0.1:1' };
const throttle: Answer = { error: 'ProvisionedThroughputExceededException' };
const getItem = () => new GetItemCommand({ TableName: 'windows', Key: { pk: { S: 'a' } } });

describe('Class: PolicyRetryStrategy', () => {
  const savedMaxAttempts = process.env.AWS_MAX_ATTEMPTS;
  afterEach(() => {
    if (savedMaxAttempts === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = savedMaxAttempts;
  });

  it('retries throttles until an attempt succeeds, counting each retry, even with AWS_MAX_ATTEMPTS=1', async () => {
    // Prepare: the chaos run switches the SDK's own retries off this way.
    process.env.AWS_MAX_ATTEMPTS = '1';
    const fake = fakeDynamoDb([throttle, throttle, { ok: { Item: { pk: { S: 'a' } } } }]);
    const stats = new RetryStats({ debug: () => {} });
    const client = new DynamoDBClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits(stats), maxAttempts: RETRY_POLICY.maxAttempts });

    // Act
    const output = await client.send(getItem());

    // Assess
    expect(output.Item).toEqual({ pk: { S: 'a' } });
    expect(output.$metadata.attempts).toBe(3);
    expect(fake.attempts.map((a) => a.attemptHeader)).toEqual(['attempt=1; max=8', 'attempt=2; max=8', 'attempt=3; max=8']);
    expect(stats.take()).toBe(2);
  });

  it('stops at 8 attempts and rethrows the last error', async () => {
    // Prepare
    const fake = fakeDynamoDb([throttle]);
    const client = new DynamoDBClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits(), maxAttempts: RETRY_POLICY.maxAttempts });

    // Act
    const error = await client.send(getItem()).catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(fake.attempts).toHaveLength(8);
  });

  it('retries a dropped connection', async () => {
    const fake = fakeDynamoDb(['reset', { ok: {} }]);
    const client = new DynamoDBClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits(), maxAttempts: RETRY_POLICY.maxAttempts });

    await client.send(getItem());

    expect(fake.attempts).toHaveLength(2);
  });

  it.each([['ValidationException'], ['ConditionalCheckFailedException'], ['ResourceNotFoundException']])('never retries %s', async (name) => {
    // Prepare
    const fake = fakeDynamoDb([{ error: name }, { ok: {} }]);
    const client = new DynamoDBClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits(), maxAttempts: RETRY_POLICY.maxAttempts });

    // Act
    const error = await client.send(getItem()).catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe(name);
    expect(fake.attempts).toHaveLength(1);
  });

  it('gives up once the next wait would end past the 10 s budget', async () => {
    // Prepare: each failed attempt costs 3 s of the call's time.
    let nowMs = 0;
    const fake = fakeDynamoDb([throttle]);
    const timed = { ...fake.handler, handle: async (request: { headers: Record<string, string> }) => ((nowMs += 3_000), fake.handler.handle(request)) };
    const strategy = new PolicyRetryStrategy('dynamodb', RETRY_POLICY, { now: () => nowMs, random: () => 0.999 }, new RetryStats({ debug: () => {} }));
    const client = new DynamoDBClient({ ...local, requestHandler: timed, retryStrategy: strategy, maxAttempts: RETRY_POLICY.maxAttempts });
    // The SDK really sleeps the granted waits (≤ 50 + 100 + 200 ms here).

    // Act
    const error = await client.send(getItem()).catch((e: unknown) => e);

    // Assess: attempts end at 3, 6 and 9 s; after the third, 9 s + up to 200 ms fits, after the fourth (12 s) nothing does.
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(fake.attempts).toHaveLength(4);
  });
});

describe('Function: createDynamoDbClient', () => {
  const item = { pk: { S: 'tributary.changes.record#abc' }, status: { S: 'INPROGRESS' }, expiration: { N: '1767312000' }, in_progress_expiration: { N: '1767225630123' } };
  const put = () => new PutItemCommand({ TableName: 'idempotency', Item: item, ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': 'pk' }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });

  it('takes a retried put that finds exactly its own item as landed (its first answer was lost)', async () => {
    // Prepare
    const fake = fakeDynamoDb(['reset', { error: 'ConditionalCheckFailedException', body: { Item: item } }]);
    const client = createDynamoDbClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits() });

    // Act
    const output = await client.send(put());

    // Assess
    expect(output.$metadata.attempts).toBe(2);
    expect(fake.attempts).toHaveLength(2);
  });

  it('recognises the landed put through the document client too', async () => {
    // Prepare
    const documentItem = { pk: 'window#1', version: 3, sketch: new Uint8Array([1, 2, 3]) };
    const fake = fakeDynamoDb(['reset', { error: 'ConditionalCheckFailedException', body: { Item: { pk: { S: 'window#1' }, version: { N: '3' }, sketch: { B: 'AQID' } } } }]);
    const documents = createDocumentClient(createDynamoDbClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits() }));

    // Act
    const output = await documents.send(new PutCommand({ TableName: 'windows', Item: documentItem, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));

    // Assess
    expect(output.$metadata.attempts).toBe(2);
  });

  it('still fails a retried put that finds another writer’s item', async () => {
    // Prepare
    const theirs = { ...item, in_progress_expiration: { N: '1767225631999' } };
    const fake = fakeDynamoDb(['reset', { error: 'ConditionalCheckFailedException', body: { Item: theirs } }]);
    const client = createDynamoDbClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits() });

    // Act
    const error = await client.send(put()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((error as ConditionalCheckFailedException).Item).toEqual(theirs);
  });

  it('still fails a first attempt that finds an equal item: that was a real race', async () => {
    const fake = fakeDynamoDb([{ error: 'ConditionalCheckFailedException', body: { Item: item } }]);
    const client = createDynamoDbClient({ ...local, requestHandler: fake.handler, retryStrategy: noWaits() });

    const error = await client.send(put()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(fake.attempts).toHaveLength(1);
  });
});
