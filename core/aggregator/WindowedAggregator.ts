import { completeBatch } from '../delivery/DeliveryState';
import type { CompiledMetric } from '../metrics/compileMetric';
import { ALWAYS_RUN, type BatchIdempotency } from '../ports/BatchIdempotency';
import type { CompletionLog } from '../ports/CompletionLog';
import type { DuplicateLedger } from '../ports/DuplicateLedger';
import type { LateEventSink } from '../ports/LateEventSink';
import type { ShardDirectory } from '../ports/ShardDirectory';
import type { WindowStore } from '../ports/WindowStore';
import { WRITE_RACE_POLICY, type RetryPolicy } from '../retry/retryPolicy';
import { LateCollector } from '../windowing/LateCollector';
import { placeEvents, type SourcedEvent } from '../windowing/placeEvents';
import { advanceWatermark, inputsOf } from './advanceWatermark';
import { aggregationModeOf, type AggregationMode, type BatchMode } from './AggregationMode';
import { announceBatch } from './announceBatch';
import { BatchContext } from './BatchContext';
import { deduplicateBatch } from './deduplicateBatch';
import { FinalizationSchedule } from './FinalizationSchedule';
import { planBatch } from './planBatch';
import { ProgressCache } from './ProgressCache';
import { writeLateEvents } from './writeLateEvents';
import { writePlannedWindows } from './writePlannedWindows';

export type { BatchMode } from './AggregationMode';

/** Tuning of the aggregator's storage work. */
export interface WindowedAggregatorOptions {
  /**
   * Optimistic writes of one window (or one group's sessions, a late count, the watermark) before the batch fails.
   * @default WRITE_RACE_POLICY.maxAttempts (12)
   */
  readonly maxWriteAttempts?: number;
  /**
   * Cap of the wait before the first retry of a lost write race; doubles per retry (full jitter), capped at 1 s.
   * @default WRITE_RACE_POLICY.baseDelayMs (10)
   */
  readonly retryBaseMs?: number;
  /**
   * Windows (or session groups) written concurrently.
   * @default 16
   */
  readonly writeConcurrency?: number;
  /**
   * Longest the container uses other shards' cached progress before reading
   * the whole `~watermark` partition again; a batch otherwise reads only its
   * own shard's progress and the pipeline watermark (`ProgressCache`). 0: every batch reads the partition.
   * @default DEFAULT_PROGRESS_CACHE_MS (5,000)
   */
  readonly progressCacheMs?: number;
}

/** How long other shards' progress is cached per container unless configured (`aggregator.progressCacheMs`). */
export const DEFAULT_PROGRESS_CACHE_MS = 5_000;

/** What keeps a batch's effect exactly once beyond the windows' own marks. */
export interface DeliveryGuards {
  /** Which live batches completed, for the DLQ redrive. */
  readonly completions: CompletionLog;
  /** Runs a live batch's window work once per range (Powertools idempotency in AWS). Default: no batch-level record. */
  readonly batches?: BatchIdempotency;
  /** Producer duplicates by (key, id). Default: none dropped. */
  readonly duplicates?: DuplicateLedger;
}

/** What one batch did. */
export interface BatchSummary {
  /** (metric, event) pairs counted into at least one window. */
  readonly eventsCounted: number;
  /**
   * Event times of at most LAG_SAMPLE_SIZE of the counted (metric, event) pairs, evenly
   * sampled in shard order: what ConsumerLagMs is computed from (`sloMetricsOf`).
   */
  readonly lagSampleTimesMs: readonly number[];
  /** The same per metric definition that counted any event (at most LAG_SAMPLE_SIZE each): ConsumerLagMs per `Metric`. */
  readonly lagSampleTimesMsByMetric: Readonly<Record<string, readonly number[]>>;
  readonly windowsWritten: number;
  /** Entries written to the late-event output (late or without an event time). */
  readonly lateEvents: number;
  readonly windowsFinalized: number;
  /** Optimistic writes that lost a race to another shard's consumer and were retried. */
  readonly writeConflicts: number;
  /** The pipeline watermark per metric after the batch. */
  readonly watermarkMs: Readonly<Record<string, number>>;
  /** (metric, window) applications skipped because the window already held the event: redeliveries. */
  readonly redeliveriesSkipped: number;
  /** Producer duplicates (an event whose key and id the ledger already holds) dropped before any window. */
  readonly duplicatesDropped: number;
  /** False when the batch-level record said this range completed before: no window was read or written. */
  readonly applied: boolean;
}

/**
 * The event-time windowing engine: one shard's batch in, windows, late events
 * and watermarks out. Handlers stay thin around it; the property tests run it
 * against an in-memory store. One record's way through `processBatch`, each
 * step a function in its own file beside this one:
 *
 *  1. read this shard's progress and the pipeline watermark (1 BatchGetItem; other shards' progress from
 *     the container's `ProgressCache`, the whole partition re-read at most every `progressCacheMs`), and the stream's shards;
 *  2. `deduplicateBatch`: out if it is a producer duplicate (its key and id in a ledger entry);
 *  3. `announceBatch`: a live batch writes its range (and ledger entries) before any window;
 *  4. `AggregationMode.filterFor`: the filter that tells, from an item's marks, whether it already holds the record;
 *  5. `placeEvents`: per metric that takes it, its event time, group and the watermark it meets
 *     (an unusable event time sends it to the late output);
 *  6. `planBatch`: its windows (`WindowAssigner`; one already late records it as missed) or its session group;
 *  7. `writePlannedWindows`: per window, read–merge–conditional write of the shard's partial (`writeFixedWindow`); per
 *     session group, one merge transaction (`writeSessions`); a lost race re-reads and retries (`retryOnConflict`);
 *  8. `writeLateEvents`: the late entries to the output, then their counts onto the windows they missed;
 *     a live batch then records its range as completed;
 *  9. live only: the shard's progress (1 write), `advanceWatermark`, and `FinalizationSchedule`
 *     marks final the windows the watermark passed.
 *
 * Steps 6–8 run once per live range (`BatchIdempotency`). What a repair
 * (redrive, replay) may do differently is its `AggregationMode`'s to say.
 */
export class WindowedAggregator {
  private readonly writeRaces: RetryPolicy;
  private readonly writeConcurrency: number;
  private readonly finalization: FinalizationSchedule;
  private readonly progressCache: ProgressCache;

  public constructor(
    private readonly metrics: readonly CompiledMetric[],
    private readonly store: WindowStore,
    private readonly lateSink: LateEventSink,
    private readonly shards: ShardDirectory,
    private readonly guards: DeliveryGuards,
    options: WindowedAggregatorOptions = {},
  ) {
    this.writeRaces = { ...WRITE_RACE_POLICY, maxAttempts: options.maxWriteAttempts ?? WRITE_RACE_POLICY.maxAttempts, baseDelayMs: options.retryBaseMs ?? WRITE_RACE_POLICY.baseDelayMs };
    this.writeConcurrency = options.writeConcurrency ?? 16;
    this.finalization = new FinalizationSchedule(metrics, store);
    this.progressCache = new ProgressCache(store, options.progressCacheMs ?? DEFAULT_PROGRESS_CACHE_MS);
  }

  /** Applies one shard's events, in shard order. Throws when storage fails; nothing is swallowed. */
  public async processBatch(shardId: string, events: readonly SourcedEvent[], nowMs: number, batchMode: BatchMode = { kind: 'live' }): Promise<BatchSummary> {
    const mode = aggregationModeOf(batchMode, shardId, events);
    const [view, listed] = await Promise.all([this.progressCache.read(shardId, nowMs), this.shards.listShards(nowMs)]);
    // Cached shards count as active: stale progress may only hold the watermark low, never make events late.
    const snapshot = { ...view, shards: inputsOf(view, undefined, nowMs) };
    const deduplicated = await deduplicateBatch(this.guards.duplicates, shardId, events, mode, nowMs);
    const delivery = await announceBatch(this.store, this.guards.duplicates, shardId, snapshot, mode, deduplicated, nowMs);
    const filter = await mode.filterFor(shardId, delivery, this.guards.completions);
    const batch = new BatchContext(shardId, this.store, mode, filter, new LateCollector(shardId), nowMs, this.writeRaces);
    const placement = placeEvents(this.metrics, shardId, deduplicated.kept, snapshot, listed, nowMs);

    let counts: Pick<BatchSummary, 'eventsCounted' | 'lagSampleTimesMs' | 'lagSampleTimesMsByMetric' | 'windowsWritten' | 'lateEvents'> = {
      eventsCounted: 0,
      lagSampleTimesMs: [],
      lagSampleTimesMsByMetric: {},
      windowsWritten: 0,
      lateEvents: 0,
    };
    const applied = await this.runOnce(mode, async () => {
      const plan = planBatch(this.metrics, placement.placed, mode, batch.late);
      const windowsWritten = await writePlannedWindows(batch, plan, this.writeConcurrency);
      const lateEvents = await writeLateEvents(batch, this.metrics, this.lateSink, placement.invalid, this.writeConcurrency);
      if (mode.announcedRange) await this.guards.completions.recordCompleted(mode.announcedRange, nowMs);
      counts = { eventsCounted: plan.eventsCounted, lagSampleTimesMs: plan.lagSampleTimesMs, lagSampleTimesMsByMetric: plan.lagSampleTimesMsByMetric, windowsWritten, lateEvents };
    });
    // A range that completed before: its events are in their windows already.
    if (!applied) batch.redeliveriesSkipped += deduplicated.kept.length;
    const summary = (watermarkMs: Readonly<Record<string, number>>, windowsFinalized: number): BatchSummary => ({
      ...counts,
      windowsFinalized,
      writeConflicts: batch.writeConflicts,
      watermarkMs,
      redeliveriesSkipped: batch.redeliveriesSkipped,
      duplicatesDropped: applied ? deduplicated.duplicates.length : 0,
      applied,
    });
    if (!mode.movesWatermarks) return summary(snapshot.watermarkMs, 0);

    const progress = { ...placement.progress, delivery: mode.announcedRange ? completeBatch(delivery, mode.announcedRange.last) : delivery };
    await this.store.writeShardProgress(progress, nowMs);
    this.progressCache.wrote(progress);
    // Reads again, after writing this shard's progress, what holds the floor (see advanceWatermark).
    const { watermarkMs, advanced } = await advanceWatermark(batch, this.metrics, view, progress, listed, this.progressCache);
    return summary(watermarkMs, await this.finalization.finalizePassed(advanced, snapshot.watermarkMs, watermarkMs, nowMs));
  }

  /** Runs a live batch's window work once per announced range; a repair's (or an empty batch's) always runs. */
  private async runOnce(mode: AggregationMode, work: () => Promise<void>): Promise<boolean> {
    if (!mode.announcedRange) {
      await work();
      return true;
    }
    return (this.guards.batches ?? ALWAYS_RUN).runOnce(mode.announcedRange, work);
  }
}
