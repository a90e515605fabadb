import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeleteItemCommand, DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand as GetChangeRecordsCommand, GetShardIteratorCommand as GetChangeIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTopicsCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalClients, localAwsEnvironment, type LocalClients } from '../../local/aws/localClients';
import { queueDepth } from '../../local/aws/queueDepth';
import { scanTable } from '../../local/aws/scanTable';
import { startFakeCloudFormation, type FakeCloudFormation } from '../support/fakeCloudFormation';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

/**
 * `tributary redrive --stack <name>` end to end, offline: the CLI resolves the
 * pipeline from a CloudFormation answer (a stand-in endpoint speaking
 * CloudFormation's wire format, whose outputs name the emulators' resources)
 * and reaches Kinesis, DynamoDB, SQS and SNS through the SDK's own endpoint
 * variables, as it would reach AWS — no runtime.json. Each of the three DLQs
 * is redriven through its consumer's code, effectively once.
 */
let pipeline: RunningPipeline;
let clients: LocalClients;
let cloudFormation: FakeCloudFormation;
let outputs: Record<string, string>;
const STACK = 'TributaryE2e';
const minuteMs = 60_000;
const T = Math.floor(Date.now() / minuteMs) * minuteMs - 120 * minuteMs;
const run = `stack-${Date.now()}`;

/** The CLI as an operator runs it against a deployed stack: credentials, region and endpoints from the environment only. */
function tributary(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/tributary.js', ...args], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: {
        ...process.env,
        ...localAwsEnvironment(pipeline.info.endpoints),
        AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url,
        // An empty state dir: nothing but the stack can tell it where the pipeline is.
        TRIBUTARY_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'tributary-nostate-')),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function kinesisOnFailure(shardId: string, first: string, last: string, batchSize: number): string {
  return JSON.stringify({
    requestContext: { requestId: 'test', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:archive', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    KinesisBatchInfo: { shardId, startSequenceNumber: first, endSequenceNumber: last, batchSize, streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${outputs.StreamName}` },
  });
}

function changesOnFailure(streamArn: string, shardId: string, first: string, last: string, batchSize: number): string {
  return JSON.stringify({
    requestContext: { requestId: 'test', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:changes', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: { shardId, startSequenceNumber: first, endSequenceNumber: last, batchSize, streamArn },
  });
}

async function post(events: readonly object[]): Promise<void> {
  const response = await pipeline.api.fetch('/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  expect(((await response.json()) as { accepted: number }).accepted).toBe(events.length);
}

async function windowCount(group: string): Promise<number | undefined> {
  const response = await pipeline.api.fetch(`/metrics/orders-per-region?group=${group}&from=${T}&to=${T + minuteMs}`);
  return ((await response.json()) as { windows: { eventCount: number }[] }).windows[0]?.eventCount;
}

/** Every record of the stream whose data mentions `marker`, in shard order. */
async function streamRecordsOf(marker: string): Promise<{ shardId: string; sequenceNumber: string }[]> {
  const found: { shardId: string; sequenceNumber: string }[] = [];
  for (const shard of (await clients.kinesis.send(new ListShardsCommand({ StreamName: outputs.StreamName }))).Shards ?? []) {
    const { ShardIterator } = await clients.kinesis.send(new GetShardIteratorCommand({ StreamName: outputs.StreamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    const page = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: ShardIterator!, Limit: 10_000 }));
    for (const record of page.Records ?? []) {
      if (Buffer.from(record.Data!).toString().includes(marker)) found.push({ shardId: shard.ShardId!, sequenceNumber: record.SequenceNumber! });
    }
  }
  return found;
}

describe('E2E: tributary redrive (every DLQ), replay and late with --stack', () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
    clients = createLocalClients(pipeline.info.endpoints);
    // The outputs a deployed stack has, naming what the provisioner created offline.
    const tables = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames!;
    const table = (prefix: string) => tables.find((name) => name.startsWith(prefix))!;
    const queues = (await clients.sqs.send(new ListQueuesCommand({}))).QueueUrls!;
    const queue = (pattern: RegExp) => queues.find((url) => pattern.test(url))!;
    outputs = {
      StreamName: (await clients.kinesis.send(new ListStreamsCommand({}))).StreamNames![0]!,
      AggregatesTableName: table('AggregatesTable'),
      LateEventsTableName: table('LateEventsTable'),
      EventsTableName: table('RawEventsTable'),
      DeliveryTableName: table('DeliveryTable'),
      IdempotencyTableName: table('IdempotencyTable'),
      CountValueUpdatedTopicArn: (await clients.sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((arn) => arn.includes('CountValueUpdated'))!,
      DeadLetterQueueUrl: queue(/Aggregator.*DeadLetterQueue/),
      ArchiverDeadLetterQueueUrl: queue(/Archiver.*DeadLetterQueue/),
      ChangesDeadLetterQueueUrl: queue(/Changes.*DeadLetterQueue/),
    };
    cloudFormation = await startFakeCloudFormation(STACK, outputs);
  });
  afterAll(async () => {
    await cloudFormation?.close();
    await pipeline?.stop();
  });

  it('names a stack CloudFormation does not have, with the region it looked in', async () => {
    // Act
    const result = await tributary('redrive', '--stack', 'NoSuchStack', '--dry-run');

    // Assess
    expect(result).toMatchObject({
      status: 1,
      stdout: '',
      stderr: 'tributary: stack NoSuchStack is not deployed in us-east-1: check --stack, and --region (or AWS_REGION) if it is deployed in another region\n',
    });
    expect(cloudFormation.described).toContain('NoSuchStack');
  });

  it('redrives the aggregator DLQ of the stack without counting twice', async () => {
    // Prepare: three orders counted live, and an on-failure message over their range: ingest packed
    // them into one KPL aggregated record (issue 15), so the range is that one record.
    const group = `${run}-agg`;
    await post([1, 2, 3].map((n) => ({ type: 'order.created', key: `${group}-key`, time: T + n * 1_000, data: { region: group, amount: n } })));
    await waitUntil('the live consumer to count the orders', async () => (await windowCount(group)) === 3, 20_000, 100);
    const ours = await streamRecordsOf(group);
    expect(ours).toHaveLength(1);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.DeadLetterQueueUrl, MessageBody: kinesisOnFailure(ours[0]!.shardId, ours[0]!.sequenceNumber, ours[0]!.sequenceNumber, 1) }));

    // Act
    const result = await tributary('redrive', '--stack', STACK);

    // Assess
    expect(result.stderr).not.toContain('tributary:');
    expect(result.stdout).toContain('redrove 1 of 1 DLQ message(s), 1 record(s) (3 event(s)); each window took only what it lacked');
    expect(result.status).toBe(0);
    expect(await windowCount(group)).toBe(3);
    expect(await queueDepth(clients.sqs, outputs.DeadLetterQueueUrl!)).toBe(0);
  });

  it('redrives the archive DLQ: a lost event is archived again, and the others stay one item each', async () => {
    // Prepare: three events archived live (one KPL aggregate on the stream); one item is then lost.
    const key = `${run}-archive`;
    await post([1, 2, 3].map((n) => ({ type: 'order.created', key, time: T + n * 1_000, data: { region: key, amount: n } })));
    const archived = async () =>
      ((await clients.documents.send(new QueryCommand({ TableName: outputs.EventsTableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `k#${key}` }, ConsistentRead: true }))).Items ?? []) as {
        pk: string;
        sk: string;
      }[];
    await waitUntil('the archiver to store the events', async () => (await archived()).length === 3, 20_000, 100);
    const [lost] = await archived();
    await clients.documents.send(new DeleteCommand({ TableName: outputs.EventsTableName, Key: { pk: lost!.pk, sk: lost!.sk } }));
    expect(await archived()).toHaveLength(2);
    const ours = await streamRecordsOf(key);
    expect(ours).toHaveLength(1);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.ArchiverDeadLetterQueueUrl, MessageBody: kinesisOnFailure(ours[0]!.shardId, ours[0]!.sequenceNumber, ours[0]!.sequenceNumber, 1) }));

    // Act 1: a dry run applies nothing.
    const dry = await tributary('redrive', '--queue', 'archive', '--stack', STACK, '--dry-run');

    // Assess 1
    expect(dry.stdout).toContain('dry run: 1 DLQ message(s) of the archive DLQ, 1 record(s) (3 event(s)) still in the stream; nothing applied or deleted');
    expect(dry.status).toBe(0);
    expect(await archived()).toHaveLength(2);
    await waitUntil('the message visible again', async () => (await queueDepth(clients.sqs, outputs.ArchiverDeadLetterQueueUrl!)) === 1, 10_000, 100);

    // Act 2
    const result = await tributary('redrive', '--queue', 'archive', '--stack', STACK);

    // Assess 2: the lost item is back, no event is stored twice, the message is gone.
    expect(result.stdout).toContain('redrove 1 of 1 DLQ message(s) of the archive DLQ, 1 record(s) (3 event(s)); each event was archived once (its row and its type page)');
    expect(result.status).toBe(0);
    expect((await archived()).map((item) => item.sk).sort()).toContain(lost!.sk);
    expect(await archived()).toHaveLength(3);
    expect(await queueDepth(clients.sqs, outputs.ArchiverDeadLetterQueueUrl!)).toBe(0);
  });

  it('replays the stack\'s stream into windows that lost their items, and lists its late-event output', async () => {
    // Prepare: two orders counted live, then their window's item is lost.
    const group = `${run}-replay`;
    const fromMs = Date.now() - 1_000;
    await post([1, 2].map((n) => ({ type: 'order.created', key: `${group}-${n}`, time: T + n * 1_000, data: { region: group, amount: n } })));
    await waitUntil('the live consumer to count the orders', async () => (await windowCount(group)) === 2, 20_000, 100);
    await clients.dynamodb.send(new DeleteItemCommand({ TableName: outputs.AggregatesTableName, Key: { pk: { S: `orders-per-region#${group}` }, windowStart: { N: String(T) } } }));
    expect(await windowCount(group)).toBeUndefined();

    // Act
    const replay = await tributary('replay', '--stack', STACK, '--from', String(fromMs), '--metric', 'orders-per-region');
    const late = await tributary('late', '--stack', STACK, '--metric', 'orders-per-region', '--day', new Date(T).toISOString().slice(0, 10));

    // Assess
    expect(replay.stderr).not.toContain('tributary:');
    expect(replay.stdout).toMatch(/^replayed \d+ record\(s\) \([1-9][\d,]* event\(s\)\) of \d+ shard\(s\) from .* into orders-per-region: [1-9]\d* window\(s\) took what they lacked/);
    expect(replay.status).toBe(0);
    expect(await windowCount(group)).toBe(2);
    expect(late.stdout).toMatch(new RegExp(`^\\d+\\+? late event\\(s\\) for orders-per-region on ${new Date(T).toISOString().slice(0, 10)}\n`));
    expect(late.status).toBe(0);
  });

  it('redrives the change DLQ: a change already published is not sent again, one never published is sent once', async () => {
    // Prepare: a subscriber, and two changes of one window (two orders, counted one after the other).
    const group = `${run}-changes`;
    const subscriber = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `redrive-changes-${Date.now()}` }))).QueueUrl!;
    const subscriberArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: subscriber, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await clients.sns.send(new SubscribeCommand({ TopicArn: outputs.CountValueUpdatedTopicArn, Protocol: 'sqs', Endpoint: subscriberArn, Attributes: { RawMessageDelivery: 'true' } }));
    const published: { changeId: string; group: string }[] = [];
    const drain = async () => {
      for (;;) {
        const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: subscriber, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!Messages?.length) return;
        for (const message of Messages) {
          const event = JSON.parse(message.Body!) as { changeId: string; group: string };
          if (event.group === group) published.push(event);
          await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: subscriber, ReceiptHandle: message.ReceiptHandle! }));
        }
      }
    };
    const order = (n: number) => ({ type: 'order.created', key: `${group}-${n}`, time: T + n * 1_000, data: { region: group, amount: n } });
    await post([order(1)]);
    await waitUntil('the first order counted', async () => (await windowCount(group)) === 1, 20_000, 100);
    await post([order(2)]);
    await waitUntil('the second order counted', async () => (await windowCount(group)) === 2, 20_000, 100);
    await waitUntil('both changes published', async () => (await drain(), published.length === 2), 20_000, 200);
    // The window's changes on the aggregates table's stream.
    const streamArn = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: outputs.AggregatesTableName }))).Table!.LatestStreamArn!;
    const changes: { shardId: string; sequenceNumber: string }[] = [];
    for (const shard of (await clients.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards ?? []) {
      let iterator = (await clients.streams.send(new GetChangeIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      for (let pages = 0; iterator && pages < 20; pages += 1) {
        const page = await clients.streams.send(new GetChangeRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
        for (const record of page.Records ?? []) {
          if (record.dynamodb?.Keys?.pk?.S === `orders-per-region#${group}`) changes.push({ shardId: shard.ShardId!, sequenceNumber: record.dynamodb.SequenceNumber! });
        }
        if (!page.Records?.length) break;
        iterator = page.NextShardIterator;
      }
    }
    expect(changes.map((change) => change.sequenceNumber).sort()).toEqual(published.map((event) => event.changeId).sort());
    expect(new Set(changes.map((change) => change.shardId)).size).toBe(1);
    const [first, second] = changes;
    const message = changesOnFailure(streamArn, first!.shardId, first!.sequenceNumber, second!.sequenceNumber, 2);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.ChangesDeadLetterQueueUrl, MessageBody: message }));

    // Act 1: both changes were published before the failure.
    const again = await tributary('redrive', '--queue', 'changes', '--stack', STACK);

    // Assess 1: nothing is sent twice.
    // The range holds the window's two changes and the bookkeeping writes between them (watermark, shard progress), which publish nothing.
    expect(again.stdout).toMatch(/^redrove 1 of 1 DLQ message\(s\) of the changes DLQ, [2-9]\d* record\(s\); each change was published at most once/);
    expect(again.status).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await drain();
    expect(published).toHaveLength(2);

    // Prepare 2: the second change's publish never happened (its idempotency record is what a publish leaves).
    const idempotencyKey = `tributary.changes.record#${createHash('md5').update(JSON.stringify(second!.sequenceNumber)).digest('base64')}`;
    await clients.dynamodb.send(new DeleteItemCommand({ TableName: outputs.IdempotencyTableName, Key: { id: { S: idempotencyKey } }, ReturnValues: 'ALL_OLD' })).then((deleted) => expect(deleted.Attributes).toBeDefined());
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.ChangesDeadLetterQueueUrl, MessageBody: message }));

    // Act 2
    const missing = await tributary('redrive', '--queue', 'changes', '--stack', STACK);

    // Assess 2: exactly that change is published, once.
    expect(missing.status).toBe(0);
    await waitUntil('the missing change published', async () => (await drain(), published.length === 3), 10_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await drain();
    expect(published.map((event) => event.changeId)).toEqual([...published.slice(0, 2).map((event) => event.changeId), second!.sequenceNumber]);
    expect(await queueDepth(clients.sqs, outputs.ChangesDeadLetterQueueUrl!)).toBe(0);
    // Every change of the range read as Lambda delivers it: none, bookkeeping included, went to the rejected-records output.
    const rejected = (await scanTable(clients.documents, outputs.LateEventsTableName!)).filter((item) => typeof item.shardId === 'string' && item.shardId.startsWith('changes:'));
    expect(rejected.map((item) => item.reason)).toEqual([]);
  });
});
