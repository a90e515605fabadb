import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, SplitShardCommand, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KinesisShardMap, type ShardMapSource } from '../../../adapters/kinesis/KinesisShardMap';
import { decodeAggregatedRecord } from '../../../adapters/kinesis/kpl/decodeAggregatedRecord';
import { partitionKeyHash } from '../../../adapters/kinesis/kpl/partitionKeyHash';
import { ShardHashRanges } from '../../../adapters/kinesis/kpl/ShardHashRanges';
import { CONFIG_DEFAULTS } from '../../../config/TributaryConfig';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { ingestEvents } from '../../../functions/ingest/ingestEvents';
import { createLocalClients } from '../../../local/aws/localClients';
import { Emulators } from '../../../local/emulators/Emulators';
import { waitUntil } from '../../support/waitUntil';

const MAX_RECORD_BYTES = CONFIG_DEFAULTS.ingest.aggregation.maxRecordBytes;

/** `count` events over `keys` keys; each event's data names its key's running number, so order can be checked. */
function requestEvents(count: number, keys: number): { type: string; key: string; time: number; data: { n: number; region: string } }[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'order.created', key: `customer-${i % keys}`, time: 1_700_000_000_000 + i, data: { n: Math.floor(i / keys), region: 'eu' } }));
}

describe('Ingest with KPL aggregation, against kinesis-mock', () => {
  let emulators: Emulators;
  let kinesis: KinesisClient;
  let streams = 0;

  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-kpl-')));
    kinesis = createLocalClients(emulators.endpoints).kinesis;
  }, 120_000);
  afterAll(async () => {
    await emulators?.stop();
  });

  async function createStream(shards: number): Promise<string> {
    const name = `kpl-${++streams}`;
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    await waitUntil('stream ACTIVE', async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE');
    return name;
  }

  /** Every user record of every shard, deaggregated, with the shard it was read from. */
  async function readBack(streamName: string, ranges: ShardHashRanges): Promise<{ shardId: string; records: number; events: { partitionKey: string; event: EventEnvelope }[] }[]> {
    const shards = [];
    for (const { shardId } of ranges.shards) {
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      const events = (page.Records ?? []).flatMap((record) => {
        const users = decodeAggregatedRecord(record.Data!) ?? [{ partitionKey: record.PartitionKey!, data: record.Data! }];
        return users.map((user) => ({ partitionKey: user.partitionKey, event: JSON.parse(Buffer.from(user.data).toString()) as EventEnvelope }));
      });
      shards.push({ shardId, records: page.Records?.length ?? 0, events });
    }
    return shards;
  }

  for (const shardCount of [2, 4]) {
    it(`puts every key's events on its own shard, in order, in far fewer records than events (${shardCount} shards)`, async () => {
      // Prepare
      const streamName = await createStream(shardCount);
      const shardMap = new KinesisShardMap(kinesis, streamName);
      const sent = requestEvents(500, 37);

      // Act
      const result = await ingestEvents(sent, true, { kinesis, streamName, aggregation: { maxRecordBytes: MAX_RECORD_BYTES, shardMap } });

      // Assess
      expect(result.accepted).toBe(500);
      const ranges = await shardMap.rangesAt(Date.now());
      expect(ranges.shards).toHaveLength(shardCount);
      const shards = await readBack(streamName, ranges);
      const read = shards.flatMap((shard) => shard.events);
      expect(read.map(({ event }) => event.id).sort()).toEqual(result.results.map((r) => (r.status === 'accepted' ? r.id : '')).sort());
      for (const shard of shards) {
        for (const { partitionKey, event } of shard.events) {
          expect(partitionKey).toBe(event.key);
          expect(ranges.shardOf(partitionKeyHash(partitionKey))).toBe(shard.shardId);
        }
        const perKey = new Map<string, number[]>();
        for (const { event } of shard.events) perKey.set(event.key, [...(perKey.get(event.key) ?? []), (event.data as { n: number }).n]);
        for (const numbers of perKey.values()) expect(numbers).toEqual(numbers.map((_, i) => i));
      }
      const records = shards.reduce((sum, shard) => sum + shard.records, 0);
      expect(records).toBe(result.recordsWritten);
      // ~60-byte-data envelopes of ~150 bytes: 25 KB holds ~150 of them, so a shard takes a record or two.
      expect(records / 500).toBeLessThan(0.02);
    });
  }

  it('lists the shard map once per TTL and leaves closed shards out', async () => {
    const streamName = await createStream(2);
    const shardMap = new KinesisShardMap(kinesis, streamName, 1_000);
    const first = await shardMap.rangesAt(0);
    expect(await shardMap.rangesAt(999)).toBe(first);
    expect(await shardMap.rangesAt(1_000)).not.toBe(first);
    // Two open shards that cover the hash space without a gap.
    expect(first.shards).toHaveLength(2);
    expect(first.shards[0]!.startingHashKey).toBe(0n);
    expect(first.shards[1]!.startingHashKey).toBe(first.shards[0]!.endingHashKey + 1n);
    expect(first.shards[1]!.endingHashKey).toBe((1n << 128n) - 1n);

    // Split the first shard: its children take its range, the closed parent takes nothing new.
    const parent = first.shards[0]!;
    const middle = parent.endingHashKey / 2n;
    await kinesis.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: parent.shardId, NewStartingHashKey: String(middle) }));
    await waitUntil('stream ACTIVE after the split', async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE');
    const after = await shardMap.rangesAt(10_000);
    expect(after.shards).toHaveLength(3);
    expect(after.shards.map((shard) => shard.shardId)).not.toContain(parent.shardId);
    expect(after.shardOf(middle)).not.toBe(after.shardOf(middle - 1n));
  });
});

describe('Ingest with KPL aggregation, when PutRecords fails in part', () => {
  // This client only: the real one of the suite above talks to kinesis-mock.
  const mocked = new KinesisClient({ region: 'us-east-1' });
  const kinesisMock = mockClient(mocked);
  const quarter = 1n << 126n;
  const fixedMap: ShardMapSource = {
    rangesAt: async () => new ShardHashRanges([0, 1, 2, 3].map((i) => ({ shardId: `shardId-00000000000${i}`, startingHashKey: BigInt(i) * quarter, endingHashKey: BigInt(i + 1) * quarter - 1n }))),
    invalidate: () => {},
  };
  /** Which shard each put record goes to, by its explicit hash key or else its partition key. */
  const shardOfEntry = (entry: NonNullable<PutRecordsCommandInput['Records']>[number]): number =>
    Number((entry.ExplicitHashKey !== undefined ? BigInt(entry.ExplicitHashKey) : partitionKeyHash(entry.PartitionKey!)) / quarter);

  it('reports exactly the events of a failed aggregate failed (retryable), and accepts the rest', async () => {
    // Prepare: shard 2's record is throttled on every attempt.
    kinesisMock.reset();
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
      FailedRecordCount: input.Records!.filter((entry) => shardOfEntry(entry) === 2).length,
      Records: input.Records!.map((entry, i) =>
        shardOfEntry(entry) === 2 ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' } : { SequenceNumber: String(i + 1), ShardId: `shardId-00000000000${shardOfEntry(entry)}` },
      ),
    }));
    const sent = requestEvents(200, 23);

    // Act
    const result = await ingestEvents(sent, true, { kinesis: mocked, streamName: 's', aggregation: { maxRecordBytes: MAX_RECORD_BYTES, shardMap: fixedMap }, retry: { maxAttempts: 3, sleep: async () => {} } });

    // Assess
    const onShard2 = (i: number): boolean => Number(partitionKeyHash(sent[i]!.key) / quarter) === 2;
    const failed = result.results.filter((r) => r.status === 'failed').map((r) => r.index);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed).toEqual(sent.map((_, i) => i).filter(onShard2));
    expect(result.results.find((r) => r.status === 'failed')).toMatchObject({ status: 'failed', error: 'ProvisionedThroughputExceededException: Rate exceeded for shard', retryable: true });
    expect(result.accepted).toBe(200 - failed.length);
    expect(result.statusCode).toBe(207);
    // The first call put one record per shard; each retry only shard 2's.
    const calls = kinesisMock.commandCalls(PutRecordsCommand).map((call) => call.args[0].input.Records!.map(shardOfEntry));
    expect([[...calls[0]!].sort(), ...calls.slice(1)]).toEqual([[0, 1, 2, 3], [2], [2]]);
  });

  it('accepts every event once a retried aggregate goes through', async () => {
    kinesisMock.reset();
    let call = 0;
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
      call += 1;
      return {
        FailedRecordCount: call === 1 ? 1 : 0,
        Records: input.Records!.map((_, i) => (call === 1 && i === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { SequenceNumber: String(call * 100 + i), ShardId: 'shardId-000000000000' })),
      };
    });
    const result = await ingestEvents(requestEvents(100, 9), true, { kinesis: mocked, streamName: 's', aggregation: { maxRecordBytes: MAX_RECORD_BYTES, shardMap: fixedMap }, retry: { sleep: async () => {} } });
    expect(result.accepted).toBe(100);
    expect(kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([result.recordsWritten, 1]);
  });

  it('drops the cached shard map when Kinesis puts an aggregate on a shard the map did not predict (a reshard)', async () => {
    kinesisMock.reset();
    // Every record lands on shard 0, whatever the map said: it is stale.
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({ FailedRecordCount: 0, Records: input.Records!.map((_, i) => ({ SequenceNumber: String(i + 1), ShardId: 'shardId-000000000000' })) }));
    let invalidations = 0;
    const spied: ShardMapSource = { rangesAt: fixedMap.rangesAt, invalidate: () => void (invalidations += 1) };
    const result = await ingestEvents(requestEvents(100, 20), true, { kinesis: mocked, streamName: 's', aggregation: { maxRecordBytes: MAX_RECORD_BYTES, shardMap: spied } });
    expect(result.accepted).toBe(100);
    // One aggregate per shard; one invalidation per record that went elsewhere: those meant for shards 1, 2 and 3.
    expect(result.recordsWritten).toBe(4);
    expect(invalidations).toBe(3);
  });

  it('packs per key when the shard map cannot be read, and says why', async () => {
    kinesisMock.reset();
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({ FailedRecordCount: 0, Records: input.Records!.map((_, i) => ({ SequenceNumber: String(i + 1), ShardId: 'shardId-000000000000' })) }));
    const broken: ShardMapSource = { rangesAt: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' })), invalidate: () => {} };
    const result = await ingestEvents(requestEvents(100, 5), true, { kinesis: mocked, streamName: 's', aggregation: { maxRecordBytes: MAX_RECORD_BYTES, shardMap: broken } });
    expect(result).toMatchObject({ accepted: 100, recordsWritten: 5, shardMapError: 'LimitExceededException: Rate exceeded' });
    const entries = kinesisMock.commandCalls(PutRecordsCommand)[0]!.args[0].input.Records!;
    expect(entries.map((entry) => [entry.PartitionKey, entry.ExplicitHashKey])).toEqual([0, 1, 2, 3, 4].map((i) => [`customer-${i}`, undefined]));
  });

  it('sends an event bigger than the cap as a plain record, after the aggregate holding its shard\'s earlier events', async () => {
    kinesisMock.reset();
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({ FailedRecordCount: 0, Records: input.Records!.map((_, i) => ({ SequenceNumber: String(i + 1), ShardId: 'shardId-000000000000' })) }));
    const events = [...requestEvents(3, 1), { type: 'order.created', key: 'customer-0', time: 1_700_000_000_100, data: { n: 3, blob: 'x'.repeat(30_000) } }];
    const result = await ingestEvents(events, true, { kinesis: mocked, streamName: 's', aggregation: { maxRecordBytes: MAX_RECORD_BYTES, shardMap: fixedMap } });
    expect(result.accepted).toBe(4);
    const entries = kinesisMock.commandCalls(PutRecordsCommand)[0]!.args[0].input.Records!;
    expect(entries.map((entry) => decodeAggregatedRecord(entry.Data!)?.length ?? 'plain')).toEqual([3, 'plain']);
  });
});
