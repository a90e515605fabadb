import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compileMetric } from '../../core/metrics/compileMetric';
import { replayStream, type ReplayPosition } from '../../ops/replayStream';
import { StaticShardDirectory } from '../../core/ports/ShardDirectory';
import { WindowedAggregator } from '../../core/aggregator/WindowedAggregator';
import { envelopeFactory, ordersPerRegion } from '../support/factories';
import { InMemoryCompletionLog } from '../../core/ports/inMemory/InMemoryCompletionLog';
import { InMemoryWindowStore } from '../../core/ports/inMemory/InMemoryWindowStore';

const kinesisMock = mockClient(KinesisClient);
const SHARD = 'shardId-000000000000';
const T = Date.UTC(2026, 0, 1, 12, 0);

const record = (sequence: number, arrivalMs: number) => ({
  SequenceNumber: String(sequence),
  PartitionKey: 'k',
  ApproximateArrivalTimestamp: new Date(arrivalMs),
  Data: Buffer.from(JSON.stringify(envelopeFactory({ id: `e${sequence}`, time: T + sequence, data: { region: 'eu', amount: 1 } }))),
});

function memoryCheckpoint(initial: Record<string, ReplayPosition> = {}) {
  const saved: Record<string, ReplayPosition>[] = [];
  return { saved, checkpoint: { load: () => initial, save: (positions: Readonly<Record<string, ReplayPosition>>) => void saved.push({ ...positions }) } };
}

describe('replayStream', () => {
  const store = new InMemoryWindowStore();
  const aggregator = new WindowedAggregator([compileMetric(ordersPerRegion)], store, store, new StaticShardDirectory([], 0), { completions: new InMemoryCompletionLog() });
  const options = { kinesis: new KinesisClient({ region: 'us-east-1' }), streamName: 'events', fromMs: T, toMs: T + 60_000, aggregator, rejects: { reject: async () => {} }, pageRecords: 2 };

  beforeEach(() => {
    kinesisMock.reset();
    kinesisMock.on(ListShardsCommand).resolves({ Shards: [{ ShardId: SHARD, HashKeyRange: undefined, SequenceNumberRange: undefined }] });
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
  });

  it('saves its position after every page and, interrupted, resumes just after it without re-reading', async () => {
    // Prepare: two pages, the second read fails (the process was stopped).
    kinesisMock.on(GetRecordsCommand, { ShardIterator: 'it-0' }).resolves({ Records: [record(1, T + 1), record(2, T + 2)], NextShardIterator: 'it-1', MillisBehindLatest: 1_000 });
    kinesisMock.on(GetRecordsCommand, { ShardIterator: 'it-1' }).rejects(new Error('interrupted'));
    const first = memoryCheckpoint();

    // Act 1
    await expect(replayStream({ ...options, checkpoint: first.checkpoint })).rejects.toThrow('interrupted');

    // Assess 1: AT_TIMESTAMP from --from, and the position after the applied page.
    expect(kinesisMock.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toMatchObject({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(T) });
    expect(first.saved.at(-1)).toEqual({ [SHARD]: { after: '2', done: false, records: 2, events: 2 } });

    // Act 2: run again from the saved position; record 4 arrived after --to.
    kinesisMock.reset();
    kinesisMock.on(ListShardsCommand).resolves({ Shards: [{ ShardId: SHARD, HashKeyRange: undefined, SequenceNumberRange: undefined }] });
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-2' });
    kinesisMock.on(GetRecordsCommand).resolves({ Records: [record(3, T + 3), record(4, T + 70_000)], NextShardIterator: 'it-3', MillisBehindLatest: 0 });
    const second = memoryCheckpoint(first.saved.at(-1));
    const report = await replayStream({ ...options, checkpoint: second.checkpoint });

    // Assess 2
    expect(kinesisMock.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '2' });
    expect(report).toMatchObject({ shards: 1, records: 3, events: 3, resumed: true });
    expect(second.saved.at(-1)).toEqual({ [SHARD]: { after: '3', done: true, records: 3, events: 3 } });
    expect(store.windows.get(`orders-per-region\u0000eu\u0000${T}`)).toMatchObject({ eventCount: 3 });
  });

  it('skips a shard the checkpoint says is done', async () => {
    const { checkpoint } = memoryCheckpoint({ [SHARD]: { after: '9', done: true, records: 9 } });
    const report = await replayStream({ ...options, checkpoint });
    expect(kinesisMock.commandCalls(GetRecordsCommand)).toHaveLength(0);
    expect(report.records).toBe(9);
    // A checkpoint saved before events were counted has none: the report counts 0, not NaN.
    expect(report.events).toBe(0);
  });
});
