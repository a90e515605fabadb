import { KinesisClient, PutRecordsCommand, ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { markRetriesSpent } from '../../../core/retry/retryPolicy';
import { putRecordsWithRetry } from '../../../adapters/kinesis/putRecordsWithRetry';

const kinesisMock = mockClient(KinesisClient);
const noSleep = async (): Promise<void> => undefined;
const entries = (count: number) => Array.from({ length: count }, (_, i) => ({ Data: Buffer.from(`e${i}`), PartitionKey: `k${i}` }));
const ok = (n: number) => ({ SequenceNumber: String(1000 + n), ShardId: 'shardId-000000000000' });
const throttled = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' };

describe('Function: putRecordsWithRetry', () => {
  beforeEach(() => kinesisMock.reset());

  it('retries only the records PutRecords reports as failed', async () => {
    // Prepare
    kinesisMock
      .on(PutRecordsCommand)
      .resolvesOnce({ FailedRecordCount: 2, Records: [ok(0), throttled, ok(2), throttled] })
      .resolvesOnce({ FailedRecordCount: 0, Records: [ok(11), ok(13)] });

    // Act
    const outcomes = await putRecordsWithRetry(new KinesisClient({}), 'stream', entries(4), { sleep: noSleep });

    // Assess
    const calls = kinesisMock.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.Records!.map((record) => record.PartitionKey)).toEqual(['k1', 'k3']);
    expect(outcomes).toEqual([
      { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1000' },
      { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1011' },
      { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1002' },
      { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1013' },
    ]);
  });

  it('reports records still failing after the last attempt as not written', async () => {
    kinesisMock.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [throttled] });

    const outcomes = await putRecordsWithRetry(new KinesisClient({}), 'stream', entries(1), { sleep: noSleep, maxAttempts: 3 });

    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(3);
    expect(outcomes).toEqual([{ ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded for shard' }]);
  });

  it('retries a whole call that was throttled, with growing backoff', async () => {
    // Prepare
    const sleeps: number[] = [];
    kinesisMock
      .on(PutRecordsCommand)
      .rejectsOnce(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }))
      .resolvesOnce({ FailedRecordCount: 0, Records: [ok(0), ok(1)] });

    // Act
    const outcomes = await putRecordsWithRetry(new KinesisClient({}), 'stream', entries(2), {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      baseDelayMs: 100,
    });

    // Assess
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
  });

  it('does not send again a call the client already retried as far as the policy allows', async () => {
    // Prepare: what createKinesisClient's retry strategy throws after its last attempt.
    const spent = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { attempts: 8 } });
    markRetriesSpent(spent);
    kinesisMock.on(PutRecordsCommand).rejects(spent);

    // Act
    const outcomes = await putRecordsWithRetry(new KinesisClient({}), 'stream', entries(1), { sleep: noSleep });

    // Assess
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(1);
    expect(outcomes).toEqual([{ ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'slow down' }]);
  });

  it('waits the policy’s full-jitter backoff between rounds', async () => {
    // Prepare
    const sleeps: number[] = [];
    kinesisMock.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [throttled] });

    // Act
    await putRecordsWithRetry(new KinesisClient({}), 'stream', entries(1), {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      clock: { now: () => 0, random: () => 0.5 },
    });

    // Assess: 4 attempts, waits of half of 50, 100 and 200 ms.
    expect(sleeps).toEqual([25, 50, 100]);
  });

  it('does not retry an error that cannot heal', async () => {
    kinesisMock.on(PutRecordsCommand).rejects(new ResourceNotFoundException({ message: 'Stream x not found', $metadata: {} }));

    const outcomes = await putRecordsWithRetry(new KinesisClient({}), 'stream', entries(2), { sleep: noSleep });

    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(1);
    expect(outcomes).toEqual([
      { ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'Stream x not found' },
      { ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'Stream x not found' },
    ]);
  });

  it('splits into calls of at most 500 records', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ok(i)),
    }));

    await putRecordsWithRetry(new KinesisClient({}), 'stream', entries(1_200), { sleep: noSleep });

    expect(kinesisMock.commandCalls(PutRecordsCommand).map((call) => call.args[0].input.Records!.length)).toEqual([500, 500, 200]);
  });

  it('splits into calls of at most 5 MiB', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ok(i)),
    }));
    const big = Array.from({ length: 6 }, (_, i) => ({ Data: Buffer.alloc(1_000_000), PartitionKey: `k${i}` }));

    await putRecordsWithRetry(new KinesisClient({}), 'stream', big, { sleep: noSleep });

    expect(kinesisMock.commandCalls(PutRecordsCommand).map((call) => call.args[0].input.Records!.length)).toEqual([5, 1]);
  });
});
