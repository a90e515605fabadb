import type { ShardProgress, WatermarkSnapshot } from '../ports/ShardProgress';
import type { WindowStore } from '../ports/WindowStore';

/** A watermark snapshot and which of its shards' progress was read just now (the others come from the cache). */
export interface ProgressView extends WatermarkSnapshot {
  /** Shards whose progress this view read fresh; every other one is cached, at most `refreshMs` old. */
  readonly fresh: ReadonlySet<string>;
}

/**
 * The watermark reads of one container's batches, constant per batch
 * whatever the shard count: a batch reads its own shard's progress (its
 * delivery state must be fresh: a lease can move between containers) and the
 * pipeline watermark item with one BatchGetItem, and takes the other shards'
 * progress from this cache, which re-reads the whole `~watermark` partition
 * (one Query) at most every `refreshMs`.
 *
 * Cached progress is never newer than the truth and progress only grows
 * (largest event time, last activity), so a cached shard can only hold the
 * floor lower than it is — except by looking idle while it became active
 * again: callers treat a cached shard as active (`asActive`) and read fresh
 * the ones that then hold the floor (`advanceWatermark`).
 */
export class ProgressCache {
  private cached = new Map<string, ShardProgress>();
  private refreshedAtMs = Number.NEGATIVE_INFINITY;

  public constructor(
    private readonly store: WindowStore,
    /** Longest a cached shard's progress is used before the next full read; 0: every read is full (one Query). */
    private readonly refreshMs: number,
  ) {}

  /** The view a batch of `shardId` starts from (and re-reads after a lost watermark race). */
  public async read(shardId: string, nowMs: number): Promise<ProgressView> {
    // A clock behind the last full read re-reads too.
    if (nowMs - this.refreshedAtMs >= this.refreshMs || nowMs < this.refreshedAtMs) {
      const snapshot = await this.store.readWatermarks();
      this.cached = new Map(snapshot.shards);
      this.refreshedAtMs = nowMs;
      return { ...snapshot, fresh: new Set(snapshot.shards.keys()) };
    }
    return this.readFresh([shardId], new Set());
  }

  /** `view` with the progress of `shardIds` (and the pipeline watermark) read again, strongly consistent. */
  public async refresh(view: ProgressView, shardIds: readonly string[]): Promise<ProgressView> {
    const next = await this.readFresh(shardIds, view.fresh);
    return { ...next, shards: new Map([...view.shards, ...next.shards]) };
  }

  /** Remembers a shard's progress as this container just wrote it. */
  public wrote(progress: ShardProgress): void {
    this.cached.set(progress.shardId, progress);
  }

  private async readFresh(shardIds: readonly string[], alreadyFresh: ReadonlySet<string>): Promise<ProgressView> {
    const read = await this.store.readProgress(shardIds);
    // A shard read fresh and not found has no progress (yet, or any more): nothing cached may stand in for it.
    for (const shardId of shardIds) this.cached.delete(shardId);
    for (const progress of read.shards.values()) this.cached.set(progress.shardId, progress);
    return { shards: new Map(this.cached), watermarkMs: read.watermarkMs, version: read.version, fresh: new Set([...alreadyFresh, ...shardIds]) };
  }
}

/**
 * `progress` as a watermark input that cannot look idle: a cached shard that
 * looked idle may have delivered since, with event times the floor must wait
 * for. Active as of `nowMs`, it holds the floor at its cached event time
 * (never above the truth) until a fresh read shows what it did.
 */
export function asActive(progress: ShardProgress, nowMs: number): ShardProgress {
  const activeAtMs: Record<string, number> = {};
  for (const metric of Object.keys(progress.activeAtMs)) activeAtMs[metric] = nowMs;
  return { ...progress, activeAtMs };
}
