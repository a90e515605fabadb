import { ListShardsCommand, type KinesisClient, type ListShardsCommandOutput } from '@aws-sdk/client-kinesis';
import { ShardHashRanges, type ShardHashRange } from './kpl/ShardHashRanges';

/**
 * How long a container reuses the shard map before listing again. A reshard
 * inside this window sends aggregates to the shard their first user record
 * maps to: docs/known-limits.md says what that does.
 */
export const SHARD_MAP_TTL_MS = 60_000;

/** Where the ingest function reads which open shard takes which hash keys. */
export interface ShardMapSource {
  /** The open shards' hash ranges, at most `SHARD_MAP_TTL_MS` old. */
  rangesAt(nowMs: number): Promise<ShardHashRanges>;
  /** Forget the cached map: a put landed on a shard the map did not predict. */
  invalidate(): void;
}

/**
 * The stream's open shards from ListShards (paged), cached per container for
 * a bounded time. Closed shards (with an ending sequence number: parents of a
 * reshard) are left out, since Kinesis routes no new record to them.
 */
export class KinesisShardMap implements ShardMapSource {
  private cached: ShardHashRanges | undefined;
  private listedAtMs = Number.NEGATIVE_INFINITY;

  public constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly ttlMs: number = SHARD_MAP_TTL_MS,
  ) {}

  public async rangesAt(nowMs: number): Promise<ShardHashRanges> {
    if (this.cached && nowMs - this.listedAtMs < this.ttlMs) return this.cached;
    const ranges: ShardHashRange[] = [];
    let nextToken: string | undefined;
    do {
      const page: ListShardsCommandOutput = await this.client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.streamName }));
      for (const shard of page.Shards ?? []) {
        if (!shard.ShardId || !shard.HashKeyRange?.StartingHashKey || !shard.HashKeyRange.EndingHashKey) continue;
        if (shard.SequenceNumberRange?.EndingSequenceNumber !== undefined) continue;
        ranges.push({ shardId: shard.ShardId, startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey), endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey) });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    this.cached = new ShardHashRanges(ranges);
    this.listedAtMs = nowMs;
    return this.cached;
  }

  public invalidate(): void {
    this.cached = undefined;
  }
}
