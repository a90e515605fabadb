/** One open shard and the hash keys it takes, inclusive. */
export interface ShardHashRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/** A stream's open shards by hash-key range: which shard a hash key goes to. */
export class ShardHashRanges {
  private readonly ranges: readonly ShardHashRange[];

  public constructor(ranges: readonly ShardHashRange[]) {
    this.ranges = [...ranges].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : a.startingHashKey > b.startingHashKey ? 1 : 0));
  }

  /** The shards, in hash-key order. */
  public get shards(): readonly ShardHashRange[] {
    return this.ranges;
  }

  /** The shard whose range holds `hashKey`, or undefined in a gap (a map read mid-reshard). */
  public shardOf(hashKey: bigint): string | undefined {
    let low = 0;
    let high = this.ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = this.ranges[middle]!;
      if (hashKey < range.startingHashKey) high = middle - 1;
      else if (hashKey > range.endingHashKey) low = middle + 1;
      else return range.shardId;
    }
    return undefined;
  }
}
