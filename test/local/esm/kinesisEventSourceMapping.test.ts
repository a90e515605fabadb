import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalKinesisMapping } from '../../../local/assembly/LocalPlan';
import { createLocalClients, type LocalClients } from '../../../local/aws/localClients';
import { Emulators } from '../../../local/emulators/Emulators';
import { CheckpointStore } from '../../../local/esm/CheckpointStore';
import { KinesisEventSourceMapping } from '../../../local/esm/KinesisEventSourceMapping';
import type { InvokeResult } from '../../../local/esm/InvokeResult';
import { waitUntil } from '../../support/waitUntil';

/** One invocation as the function saw it. */
interface Call {
  readonly shardId: string;
  readonly sequenceNumbers: string[];
  readonly payloads: string[];
}

/** Plays the Lambda function: records every batch and answers as `respond` says. */
class ScriptedFunction {
  public readonly calls: Call[] = [];
  public constructor(private readonly respond: (call: Call, index: number) => InvokeResult | Promise<InvokeResult> = () => ok()) {}
  public readonly invoke = async (event: unknown): Promise<InvokeResult> => {
    const records = (event as KinesisStreamEvent).Records;
    const call: Call = {
      shardId: records[0]!.eventID.split(':')[0]!,
      sequenceNumbers: records.map((record) => record.kinesis.sequenceNumber),
      payloads: records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString()),
    };
    this.calls.push(call);
    return this.respond(call, this.calls.length - 1);
  };
  public get delivered(): string[] {
    return this.calls.flatMap((call) => call.payloads);
  }
}
const ok = (payload: unknown = null): InvokeResult => ({ ok: true, payload, durationMs: 1 });
const functionError: InvokeResult = { ok: false, errorType: 'Error', errorMessage: 'boom', durationMs: 1 };

let emulators: Emulators;
let clients: LocalClients;
let checkpoints: CheckpointStore;
let dlqUrl: string;
const running: KinesisEventSourceMapping[] = [];
let streamCounter = 0;

async function createStream(shards: number): Promise<string> {
  const name = `conformance-${++streamCounter}`;
  await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntil('stream ACTIVE', async () => {
    const summary = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
  return name;
}

/** Puts `payloads` in order (one PutRecords call each, so their order on a shard is the given order). */
async function put(stream: string, payloads: string[], partitionKey: (index: number) => string = () => 'same-key'): Promise<void> {
  for (const [index, payload] of payloads.entries()) {
    const response = await clients.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from(payload), PartitionKey: partitionKey(index) }] }));
    expect(response.FailedRecordCount).toBe(0);
  }
}

function mapping(stream: string, overrides: Partial<LocalKinesisMapping> = {}): LocalKinesisMapping {
  return {
    logicalId: `esm-${stream}`,
    functionLogicalId: 'fn',
    streamName: stream,
    streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: 2,
    maximumRecordAgeSeconds: -1,
    reportBatchItemFailures: true,
    parallelizationFactor: 1,
    enabled: true,
    onFailureQueueUrl: dlqUrl,
    ...overrides,
  };
}

async function start(settings: LocalKinesisMapping, fn: ScriptedFunction): Promise<KinesisEventSourceMapping> {
  const esm = new KinesisEventSourceMapping(
    settings,
    { kinesis: clients.kinesis, sqs: clients.sqs, checkpoints, invoke: fn.invoke, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn', log: () => undefined },
    { idlePollIntervalMs: 50, minReadIntervalMs: 20, retryBaseDelayMs: 1, retryMaxDelayMs: 5 },
  );
  await esm.start();
  running.push(esm);
  return esm;
}

// The on-failure record is asserted field by field against literal expectations.
type OnFailureMessage = Record<string, any>;

async function drainDlq(): Promise<OnFailureMessage[]> {
  const messages: OnFailureMessage[] = [];
  for (;;) {
    const response = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!response.Messages?.length) return messages;
    messages.push(...response.Messages.map((message) => JSON.parse(message.Body!)));
  }
}

const labels = (count: number, prefix = 'r'): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('Local Kinesis event source mapping (against kinesis-mock)', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-conformance-')));
    clients = createLocalClients(emulators.endpoints);
    checkpoints = new CheckpointStore(clients.dynamodb, clients.documents);
    await checkpoints.ensureTable();
    dlqUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'conformance-dlq' }))).QueueUrl!;
  });
  afterAll(async () => {
    await Promise.all(running.map((esm) => esm.stop()));
    await emulators?.stop();
  });

  it('delivers every record once, in sequence order per shard, one batch per shard at a time', async () => {
    // Prepare
    const stream = await createStream(2);
    let inFlightByShard = new Map<string, number>();
    let overlapped = false;
    const fn = new ScriptedFunction(async (call) => {
      const inFlight = (inFlightByShard.get(call.shardId) ?? 0) + 1;
      inFlightByShard.set(call.shardId, inFlight);
      if (inFlight > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlightByShard.set(call.shardId, inFlight - 1);
      return ok();
    });
    const payloads = labels(120);
    await put(stream, payloads, (i) => `key-${i % 12}`);

    // Act
    await start(mapping(stream, { batchSize: 7 }), fn);
    await waitUntil('all records delivered', () => fn.delivered.length >= payloads.length);

    // Assess
    expect([...fn.delivered].sort()).toEqual([...payloads].sort());
    expect(new Set(fn.calls.map((call) => call.shardId)).size).toBe(2);
    for (const shardId of new Set(fn.calls.map((call) => call.shardId))) {
      const sequence = fn.calls.filter((call) => call.shardId === shardId).flatMap((call) => call.sequenceNumbers.map(BigInt));
      expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    expect(overlapped).toBe(false);
    inFlightByShard = new Map();
  });

  it('never invokes with more than BatchSize records', async () => {
    const stream = await createStream(1);
    const fn = new ScriptedFunction();
    await put(stream, labels(23));

    await start(mapping(stream, { batchSize: 10 }), fn);
    await waitUntil('all records delivered', () => fn.delivered.length >= 23);

    expect(fn.calls.map((call) => call.payloads.length)).toEqual([10, 10, 3]);
  });

  it('closes a batch at 6 MB of payload whatever the batch size', async () => {
    // Prepare: seven records of 1,000,000 bytes; six fit in 6 MB, the seventh does not.
    const stream = await createStream(1);
    const fn = new ScriptedFunction();
    await put(stream, labels(7).map((label) => label.padEnd(1_000_000, '.')));

    // Act
    await start(mapping(stream, { batchSize: 100, maxBatchingWindowSeconds: 1 }), fn);
    await waitUntil('all records delivered', () => fn.delivered.length >= 7, 30_000);

    // Assess
    expect(fn.calls.map((call) => call.payloads.length)).toEqual([6, 1]);
  }, 120_000); // 6 MB through kinesis-mock: beside two other emulator files on two cores it passed 30 s twice today; the wait bounds time, the assertions stay

  it('gathers records for MaximumBatchingWindowInSeconds before invoking', async () => {
    // Prepare: records trickle in 200 ms apart, well inside a 2 s window.
    const stream = await createStream(1);
    const fn = new ScriptedFunction();
    await start(mapping(stream, { maxBatchingWindowSeconds: 2 }), fn);

    // Act
    for (const payload of labels(4)) {
      await put(stream, [payload]);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await waitUntil('all records delivered', () => fn.delivered.length >= 4);

    // Assess: one invocation with all four, where a 0 s window would have made several.
    expect(fn.calls.map((call) => call.payloads)).toEqual([['r0', 'r1', 'r2', 'r3']]);
  });

  it('resumes from the lowest failed sequence number of a partial batch response', async () => {
    // Prepare: the first invocation reports r4 and r2 as failed.
    const stream = await createStream(1);
    const fn = new ScriptedFunction((call, index) =>
      index === 0
        ? ok({ batchItemFailures: [{ itemIdentifier: call.sequenceNumbers[4] }, { itemIdentifier: call.sequenceNumbers[2] }] })
        : ok({ batchItemFailures: [] }),
    );
    await put(stream, labels(6));

    // Act
    await start(mapping(stream), fn);
    await waitUntil('retry delivered', () => fn.calls.length >= 2);

    // Assess
    expect(fn.calls.map((call) => call.payloads)).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'],
      ['r2', 'r3', 'r4', 'r5'],
    ]);
  });

  it('bisects a failing batch without using up retries, so only the bad record reaches the DLQ', async () => {
    // Prepare: the function throws whenever the batch holds "poison"; no retries allowed at all.
    const stream = await createStream(1);
    await drainDlq();
    const fn = new ScriptedFunction((call) => (call.payloads.includes('poison') ? functionError : ok()));
    await put(stream, ['r0', 'r1', 'r2', 'poison', 'r4', 'r5']);

    // Act
    await start(mapping(stream, { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }), fn);
    const failure = await waitUntil('a DLQ message', async () => (await drainDlq())[0]);
    await waitUntil('the rest delivered', () => fn.calls.filter((call) => !call.payloads.includes('poison')).flatMap((call) => call.payloads).length >= 5);

    // Assess
    const poisonCall = fn.calls.find((call) => call.payloads.length === 1 && call.payloads[0] === 'poison')!;
    expect(failure.KinesisBatchInfo.startSequenceNumber).toBe(poisonCall.sequenceNumbers[0]);
    expect(failure.KinesisBatchInfo.endSequenceNumber).toBe(poisonCall.sequenceNumbers[0]);
    expect(failure.KinesisBatchInfo.batchSize).toBe(1);
    const succeeded = fn.calls.filter((call) => !call.payloads.includes('poison')).flatMap((call) => call.payloads);
    expect(succeeded.sort()).toEqual(['r0', 'r1', 'r2', 'r4', 'r5']);
  });

  it('gives up after MaximumRetryAttempts and sends the on-failure record in AWS\'s shape', async () => {
    // Prepare
    const stream = await createStream(1);
    await drainDlq();
    const fn = new ScriptedFunction(() => functionError);
    await put(stream, labels(3));

    // Act
    await start(mapping(stream, { maximumRetryAttempts: 2 }), fn);
    const failure = await waitUntil('a DLQ message', async () => (await drainDlq())[0]);

    // Assess: 1 attempt + 2 retries, then the pointer to the records (not the records).
    expect(fn.calls).toHaveLength(3);
    const sequenceNumbers = fn.calls[0]!.sequenceNumbers;
    expect(failure).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: sequenceNumbers[0],
        endSequenceNumber: sequenceNumbers[2],
        approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 3,
        streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
      },
    });
    expect(JSON.stringify(failure)).not.toContain('r0');
  });

  it('discards records older than MaximumRecordAgeInSeconds without invoking', async () => {
    // Prepare: records already 1.5 s old when polling starts, with a 1 s age limit (AWS's floor is 60 s; the rule is the same).
    const stream = await createStream(1);
    await drainDlq();
    await put(stream, labels(2));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const fn = new ScriptedFunction();

    // Act
    await start(mapping(stream, { maximumRecordAgeSeconds: 1 }), fn);
    const failure = await waitUntil('a DLQ message', async () => (await drainDlq())[0]);

    // Assess
    expect(failure.requestContext.condition).toBe('RecordAgeExceeded');
    expect(failure.KinesisBatchInfo.batchSize).toBe(2);
    expect(fn.calls).toHaveLength(0);
  });

  it('stores the checkpoint durably: a restarted poller resumes after the last finished record', async () => {
    // Prepare: a first poller processes five records, then stops (the host dies).
    const stream = await createStream(1);
    const first = new ScriptedFunction();
    await put(stream, labels(5, 'a'));
    const esm = await start(mapping(stream), first);
    await waitUntil('first records delivered', () => first.delivered.length >= 5);
    await esm.stop();

    // Act: more records arrive; a new poller (new process, same DynamoDB) starts.
    await put(stream, labels(3, 'b'));
    const second = new ScriptedFunction();
    await start(mapping(stream), second);
    await waitUntil('new records delivered', () => second.delivered.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Assess
    expect(second.delivered).toEqual(['b0', 'b1', 'b2']);
  });

  it('keeps the shard consumed when the on-failure queue is unreachable, without skipping the records', async () => {
    // Prepare: the destination queue does not exist yet, so sending the on-failure record fails.
    const stream = await createStream(1);
    const lateQueueName = `late-dlq-${stream}`;
    const lateQueueUrl = dlqUrl.replace(/[^/]+$/, lateQueueName);
    const fn = new ScriptedFunction(() => functionError);
    await put(stream, labels(2));

    // Act
    const esm = await start(mapping(stream, { maximumRetryAttempts: 0, onFailureQueueUrl: lateQueueUrl }), fn);
    await waitUntil('the poller to restart', () => esm.stats.pollerRestarts >= 1);
    await clients.sqs.send(new CreateQueueCommand({ QueueName: lateQueueName }));
    const failure = await waitUntil('the on-failure record', async () => {
      const response = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: lateQueueUrl, MaxNumberOfMessages: 10 }));
      return response.Messages?.[0] ? (JSON.parse(response.Messages[0].Body!) as OnFailureMessage) : undefined;
    });

    // Assess: the batch was re-delivered from the checkpoint, then discarded whole.
    expect(fn.calls.length).toBeGreaterThanOrEqual(2);
    expect(fn.calls.every((call) => call.payloads.join() === 'r0,r1')).toBe(true);
    expect(failure.KinesisBatchInfo.batchSize).toBe(2);
  });

  it('does not advance the checkpoint past a batch that has not succeeded', async () => {
    // Prepare: the function fails forever (retries unbounded); the poller is stopped mid-retry.
    const stream = await createStream(1);
    const failingFn = new ScriptedFunction(() => functionError);
    await put(stream, labels(3));
    const esm = await start(mapping(stream, { maximumRetryAttempts: -1 }), failingFn);
    await waitUntil('a few attempts', () => failingFn.calls.length >= 3);
    await esm.stop();

    // Act
    const healthy = new ScriptedFunction();
    await start(mapping(stream), healthy);
    await waitUntil('records redelivered', () => healthy.delivered.length >= 3);

    // Assess
    expect(healthy.delivered).toEqual(['r0', 'r1', 'r2']);
  });
});
