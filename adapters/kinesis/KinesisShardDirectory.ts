import { ListShardsCommand, type KinesisClient, type ListShardsCommandOutput } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from './createKinesisClient';
import type { ShardDirectory } from '../../core/ports/ShardDirectory';

/** How long a shard list is reused: resharding is rare and a new shard reports on its first batch anyway. */
const REFRESH_MS = 60_000;

/**
 * The stream's shards from ListShards, cached per container. A shard listed
 * but not yet reporting holds the watermark back until its idle timeout,
 * counted from when this container first saw it.
 */
export class KinesisShardDirectory implements ShardDirectory {
  private readonly firstSeenAtMs = new Map<string, number>();
  private listedAtMs = Number.NEGATIVE_INFINITY;

  public constructor(
    private readonly streamName: string,
    private readonly client: KinesisClient = createKinesisClient(),
  ) {}

  public async listShards(nowMs: number): Promise<ReadonlyMap<string, number>> {
    if (nowMs - this.listedAtMs < REFRESH_MS) return this.firstSeenAtMs;
    const current = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page: ListShardsCommandOutput = await this.client.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.streamName }),
      );
      for (const shard of page.Shards ?? []) if (shard.ShardId) current.add(shard.ShardId);
      nextToken = page.NextToken;
    } while (nextToken);
    for (const shardId of current) if (!this.firstSeenAtMs.has(shardId)) this.firstSeenAtMs.set(shardId, nowMs);
    for (const shardId of this.firstSeenAtMs.keys()) if (!current.has(shardId)) this.firstSeenAtMs.delete(shardId);
    this.listedAtMs = nowMs;
    return this.firstSeenAtMs;
  }
}
