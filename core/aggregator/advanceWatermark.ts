import type { CompiledMetric } from '../metrics/compileMetric';
import type { ShardProgress, WatermarkSnapshot } from '../ports/ShardProgress';
import { LOST_RACE } from '../retry/retryOnConflict';
import { watermarkInputs } from '../windowing/placeEvents';
import { watermarkFloor } from '../windowing/watermarkFloor';
import type { BatchContext } from './BatchContext';

/** The pipeline watermark per metric after a batch, and the metrics whose watermark moved. */
export interface WatermarkAdvance {
  readonly watermarkMs: Readonly<Record<string, number>>;
  readonly advanced: readonly string[];
}

/**
 * Moves each metric's pipeline watermark up to what every shard's progress
 * now allows (`watermarkFloor`), never back, with one conditional write of
 * the watermark item; re-reads and recomputes when another consumer moved it
 * first. `snapshot` must be read after this shard's `progress` was written:
 * two shards finishing together each read before the other wrote, and
 * neither would advance the watermark; written-then-read guarantees the later
 * reader sees both.
 */
export function advanceWatermark(
  batch: BatchContext,
  metrics: readonly CompiledMetric[],
  snapshot: WatermarkSnapshot,
  progress: ShardProgress,
  listedShards: ReadonlyMap<string, number>,
): Promise<WatermarkAdvance> {
  return batch.retryOnConflict('pipeline watermark', async (attempt) => {
    const current = attempt === 1 ? snapshot : await batch.store.readWatermarks();
    // This shard's progress was just written; a snapshot read before it landed may lack it.
    const shards = new Map(current.shards).set(progress.shardId, progress);
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
