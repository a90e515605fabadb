import type { CompiledMetric } from '../metrics/compileMetric';
import type { ShardProgress } from '../ports/ShardProgress';
import { LOST_RACE } from '../retry/retryOnConflict';
import { watermarkInputs } from '../windowing/placeEvents';
import { watermarkFloor } from '../windowing/watermarkFloor';
import type { BatchContext } from './BatchContext';
import { asActive, type ProgressCache, type ProgressView } from './ProgressCache';

/** The pipeline watermark per metric after a batch, and the metrics whose watermark moved. */
export interface WatermarkAdvance {
  readonly watermarkMs: Readonly<Record<string, number>>;
  readonly advanced: readonly string[];
}

/**
 * Moves each metric's pipeline watermark up to what every shard's progress
 * now allows (`watermarkFloor`), never back, with one conditional write of
 * the watermark item; re-reads and recomputes when another consumer moved it
 * first.
 *
 * Other shards' progress comes from the container's cache (`ProgressCache`),
 * treated as active, so it can only hold the floor low. The shards that then
 * hold the floor (the lowest other one per metric, and the listed ones the
 * cache has no progress of, not idle yet) are read again, after
 * this shard's progress was written, with the pipeline watermark (one
 * BatchGetItem): two shards finishing together would otherwise each compute
 * from the other's progress before it wrote, and neither would advance the
 * watermark; the shard that writes last reads the other's progress fresh when
 * it is what holds the floor — the argument of a full re-read, for the
 * shards it matters for. A floor held by a shard still cached after that read
 * (a second shard just behind the first) moves at the next batch that reads
 * the whole partition, at most `aggregator.progressCacheMs` later.
 */
export function advanceWatermark(
  batch: BatchContext,
  metrics: readonly CompiledMetric[],
  view: ProgressView,
  progress: ShardProgress,
  listedShards: ReadonlyMap<string, number>,
  cache: ProgressCache,
): Promise<WatermarkAdvance> {
  return batch.retryOnConflict('pipeline watermark', async (attempt) => {
    let current = attempt === 1 ? view : await cache.read(progress.shardId, batch.nowMs);
    const holding = new Set<string>();
    for (const metric of metrics) {
      const holder = lowestCached(metric, current, progress, batch.nowMs);
      if (holder) holding.add(holder);
      for (const shardId of unreported(metric, current, progress.shardId, listedShards, batch.nowMs)) holding.add(shardId);
    }
    // With the pipeline watermark: its version is what the conditional write checks.
    current = await cache.refresh(current, [...holding]);
    const shards = inputsOf(current, progress, batch.nowMs);
    const watermarkMs: Record<string, number> = { ...current.watermarkMs };
    const advanced: string[] = [];
    for (const metric of metrics) {
      const floor = watermarkFloor(watermarkInputs(metric.name, shards.values(), listedShards), batch.nowMs, metric.maxDelayMs, metric.idleTimeoutMs);
      if (Number.isFinite(floor) && floor > (watermarkMs[metric.name] ?? Number.NEGATIVE_INFINITY)) {
        watermarkMs[metric.name] = floor;
        advanced.push(metric.name);
      }
    }
    if (advanced.length > 0 && !(await batch.store.advanceWatermarks(watermarkMs, current.version, batch.nowMs))) return LOST_RACE;
    return { watermarkMs, advanced };
  });
}

/**
 * The watermark inputs of a view: this shard's progress as just written,
 * the ones read fresh as they are, the cached ones as active (a cached shard
 * that looked idle may have delivered since).
 */
export function inputsOf(view: ProgressView, own: ShardProgress | undefined, nowMs: number): Map<string, ShardProgress> {
  const shards = new Map<string, ShardProgress>();
  for (const [shardId, progress] of view.shards) shards.set(shardId, view.fresh.has(shardId) ? progress : asActive(progress, nowMs));
  if (own) shards.set(own.shardId, own);
  return shards;
}

/**
 * The listed shards the view has no progress of the metric for, not idle
 * since first seen: each holds the metric's floor at −∞ (`watermarkInputs`),
 * and may have reported since the cache read it — two shards that start
 * together find neither the other's progress in their cache.
 */
function unreported(metric: CompiledMetric, view: ProgressView, ownShardId: string, listedShards: ReadonlyMap<string, number>, nowMs: number): string[] {
  const shardIds: string[] = [];
  for (const [shardId, firstSeenAtMs] of listedShards) {
    // Read before this shard's progress was written, so maybe reported since.
    if (shardId === ownShardId || view.shards.get(shardId)?.activeAtMs[metric.name] !== undefined) continue;
    if (nowMs - firstSeenAtMs <= metric.idleTimeoutMs) shardIds.push(shardId);
  }
  return shardIds;
}

/**
 * The other shard with the lowest event time of the metric, if it may be
 * what holds the metric's floor: every other shard was read before this
 * shard's progress was written (the batch's first read, or the cache), so
 * any of them may have moved since. One read at the batch's start shows idle
 * truly (it is no older than the batch); a cached one may have resumed. Not
 * when this shard, active for the metric, is no further on (then this
 * shard's own progress holds the floor).
 */
function lowestCached(metric: CompiledMetric, view: ProgressView, own: ShardProgress, nowMs: number): string | undefined {
  let lowest: { shardId: string; timeMs: number } | undefined;
  for (const [shardId, progress] of view.shards) {
    const activeAtMs = progress.activeAtMs[metric.name];
    if (shardId === own.shardId || activeAtMs === undefined) continue;
    if (view.fresh.has(shardId) && nowMs - activeAtMs > metric.idleTimeoutMs) continue;
    const timeMs = progress.maxEventTimeMs[metric.name] ?? Number.NEGATIVE_INFINITY;
    if (!lowest || timeMs < lowest.timeMs) lowest = { shardId, timeMs };
  }
  const ownActive = nowMs - (own.activeAtMs[metric.name] ?? Number.NEGATIVE_INFINITY) <= metric.idleTimeoutMs;
  const ownMs = own.maxEventTimeMs[metric.name];
  if (lowest && ownActive && ownMs !== undefined && ownMs <= lowest.timeMs) return undefined;
  return lowest?.shardId;
}
