import { pendingRange } from '../delivery/DeliveryState';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { WindowStore } from '../ports/WindowStore';
import { LOST_RACE, retryOnConflict } from '../retry/retryOnConflict';
import { WRITE_RACE_POLICY, type RetryPolicy } from '../retry/retryPolicy';
import { idleWatermark } from '../windowing/idleWatermark';
import { watermarkInputs } from '../windowing/placeEvents';
import { FinalizationSchedule } from './FinalizationSchedule';

/** What one tick did. */
export interface ClockTick {
  /** The pipeline watermark per metric after the tick. */
  readonly watermarkMs: Readonly<Record<string, number>>;
  /** The metrics whose watermark the tick advanced (idle for their `advanceWhenIdleMs`). */
  readonly advanced: readonly string[];
  readonly windowsFinalized: number;
  /** Watermark writes that lost a race to a batch (or another tick) and were re-read and retried. */
  readonly writeConflicts: number;
}

/** The shards the clock waits for: the ones that reported. A listed shard that never delivered the metric's events is idle for it. */
const NO_LISTED_SHARDS: ReadonlyMap<string, number> = new Map();

/**
 * Idle finalisation: the processing-time tick that moves the watermark of
 * each opted-in metric (`advanceWhenIdleMs`) once every shard has been idle
 * for it (`idleWatermark`) and no shard has a batch in flight or failing
 * (announced, not completed), then finalises the windows it passed, with the
 * aggregator's FinalizationSchedule. It writes the watermark item exactly as
 * a batch does — one conditional write on the version read — so a batch that
 * moved the watermark (or delivered an event) in between makes the write
 * fail: the tick re-reads, finds the shard active again or the watermark
 * already there, and does not move it back. A batch that read the watermark
 * before the tick and writes a window the tick finalised meanwhile finds it
 * final and counts its events as late (writeFixedWindow, writeSessions).
 */
export class WatermarkClock {
  private readonly idleMetrics: readonly (CompiledMetric & { readonly advanceWhenIdleMs: number })[];
  private readonly finalization: FinalizationSchedule;

  public constructor(
    metrics: readonly CompiledMetric[],
    private readonly store: WindowStore,
    private readonly writeRaces: RetryPolicy = WRITE_RACE_POLICY,
  ) {
    this.idleMetrics = metrics.filter((metric): metric is CompiledMetric & { readonly advanceWhenIdleMs: number } => metric.advanceWhenIdleMs !== undefined);
    this.finalization = new FinalizationSchedule(metrics, store);
  }

  /** Advances the idle metrics' watermarks to what processing time allows at `nowMs` and finalises what they passed. Throws when storage fails. */
  public async tick(nowMs: number): Promise<ClockTick> {
    let writeConflicts = 0;
    const { previousMs, watermarkMs, advanced } = await retryOnConflict(
      'pipeline watermark (idle tick)',
      async () => {
        const snapshot = await this.store.readWatermarks();
        const next: Record<string, number> = { ...snapshot.watermarkMs };
        const moved: string[] = [];
        // A batch announced and not completed is in flight or failing: its records (of any metric) are not
        // counted yet, and advancing now would make them late when its retry lands.
        const retrying = [...snapshot.shards.values()].some((shard) => pendingRange(shard.delivery) !== undefined);
        for (const metric of retrying ? [] : this.idleMetrics) {
          const inputs = watermarkInputs(metric.name, snapshot.shards.values(), NO_LISTED_SHARDS);
          const candidate = idleWatermark(inputs, nowMs, metric.maxDelayMs, metric.advanceWhenIdleMs);
          if (candidate > (next[metric.name] ?? Number.NEGATIVE_INFINITY)) {
            next[metric.name] = candidate;
            moved.push(metric.name);
          }
        }
        if (moved.length > 0 && !(await this.store.advanceWatermarks(next, snapshot.version, nowMs))) return LOST_RACE;
        return { previousMs: snapshot.watermarkMs, watermarkMs: next, advanced: moved };
      },
      { policy: this.writeRaces, onLostRace: () => (writeConflicts += 1) },
    );
    const windowsFinalized = await this.finalization.finalizePassed(advanced, previousMs, watermarkMs, nowMs);
    return { watermarkMs, advanced, windowsFinalized, writeConflicts };
  }
}
