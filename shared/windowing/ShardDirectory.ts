/** The shards of the stream: every one must report before the watermark may pass it. */
export interface ShardDirectory {
  /** Shard ids with when this process first saw each (the start of its idle clock if it never reports). */
  listShards(nowMs: number): Promise<ReadonlyMap<string, number>>;
}

/** A fixed list of shards, seen from the given time; for tests and single-shard sources. */
export class StaticShardDirectory implements ShardDirectory {
  private readonly shards: ReadonlyMap<string, number>;

  public constructor(shardIds: readonly string[], firstSeenAtMs = 0) {
    this.shards = new Map(shardIds.map((id) => [id, firstSeenAtMs]));
  }

  public async listShards(): Promise<ReadonlyMap<string, number>> {
    return this.shards;
  }
}
