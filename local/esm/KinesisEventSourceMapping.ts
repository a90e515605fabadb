import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { LocalKinesisMapping } from '../assembly/LocalPlan';
import type { BatchInfoKey } from './OnFailureRecord';
import { StreamEventSourceMapping, type PollerTiming, type ShardSource, type StreamMappingDeps } from './StreamEventSourceMapping';
import type { StreamRecord } from './StreamRecord';
import { toKinesisEvent } from './toKinesisEvent';

export type { PollerTiming } from './StreamEventSourceMapping';

export interface KinesisMappingDeps extends StreamMappingDeps {
  readonly kinesis: KinesisClient;
}

/** A local Kinesis event source mapping (see StreamEventSourceMapping for the contract). */
export class KinesisEventSourceMapping extends StreamEventSourceMapping {
  public declare readonly mapping: LocalKinesisMapping;

  public constructor(mapping: LocalKinesisMapping, deps: KinesisMappingDeps, timing: PollerTiming = {}) {
    super(mapping, new KinesisShardSource(deps.kinesis, mapping), deps, timing);
    if (mapping.parallelizationFactor !== 1) {
      deps.log(`${mapping.logicalId}: ParallelizationFactor ${mapping.parallelizationFactor} is polled as 1 offline (order per shard is kept)`);
    }
  }
}

/** Kinesis shards through ListShards, GetShardIterator and GetRecords. */
class KinesisShardSource implements ShardSource {
  public readonly batchInfoKey: BatchInfoKey = 'KinesisBatchInfo';

  public constructor(
    private readonly kinesis: KinesisClient,
    private readonly mapping: LocalKinesisMapping,
  ) {}

  public async listShards(): Promise<string[]> {
    const shards = await this.kinesis.send(new ListShardsCommand({ StreamName: this.mapping.streamName }));
    return (shards.Shards ?? []).map((shard) => shard.ShardId!);
  }

  public async iterator(shardId: string, afterSequenceNumber: string | undefined): Promise<string | undefined> {
    const { mapping } = this;
    const type: ShardIteratorType = afterSequenceNumber ? 'AFTER_SEQUENCE_NUMBER' : mapping.startingPosition;
    const response = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: mapping.streamName,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(afterSequenceNumber ? { StartingSequenceNumber: afterSequenceNumber } : {}),
        ...(type === 'AT_TIMESTAMP' && mapping.startingPositionTimestamp !== undefined
          ? { Timestamp: new Date(mapping.startingPositionTimestamp * 1_000) }
          : {}),
      }),
    );
    return response.ShardIterator;
  }

  public async read(shardId: string, iterator: string, limit: number) {
    const response = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    const records: StreamRecord[] = (response.Records ?? []).map((record) => ({
      shardId,
      sequenceNumber: record.SequenceNumber!,
      partitionKey: record.PartitionKey!,
      data: record.Data ?? new Uint8Array(),
      approximateArrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
    }));
    return { records, nextIterator: response.NextShardIterator, ...(response.MillisBehindLatest !== undefined ? { millisBehindLatest: response.MillisBehindLatest } : {}) };
  }

  public isExpiredIterator(error: unknown): boolean {
    return error instanceof ExpiredIteratorException;
  }

  public toEvent(records: readonly StreamRecord[]): unknown {
    return toKinesisEvent(records, this.mapping.streamArn);
  }
}
