/** The shards of the stream: every one must report before the watermark may pass it. */
export interface ShardDirectory {
  /** Shard ids with when this process first saw each (the start of its idle clock if it never reports). */
  listShards(nowMs: number): Promise<ReadonlyMap<string, number>>;
}

/**
 * A fixed list of shards, first seen at `firstSeenAtMs` (on the clock the
 * batches are processed with: an unreported shard is idle from there plus the
 * idle timeout); for tests, benchmarks and fixed sources.
 */
export class StaticShardDirectory implements ShardDirectory {
  private readonly shards: ReadonlyMap<string, number>;

  public constructor(shardIds: readonly string[], firstSeenAtMs: number) {
    this.shards = new Map(shardIds.map((id) => [id, firstSeenAtMs]));
  }

  public async listShards(): Promise<ReadonlyMap<string, number>> {
    return this.shards;
  }
}
