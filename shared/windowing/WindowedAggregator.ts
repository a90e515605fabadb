import { WindowAccumulator } from '../aggregation/WindowAccumulator';
import { runLimited } from '../async/runLimited';
import { WindowContentionError } from '../errors';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { SessionWindow } from '../metrics/MetricDefinition';
import type { LateEventSink } from '../storage/LateEventSink';
import type { StoredWindow, WindowDelete, WindowKey, WindowStore, WindowWrite } from '../storage/WindowStore';
import { LateCollector } from './LateCollector';
import { mergeSessions } from './mergeSessions';
import { placeEvents, watermarkInputs, type PlacedEvent, type SourcedEvent } from './placeEvents';
import type { ShardDirectory } from './ShardDirectory';
import type { ShardProgress, WatermarkSnapshot } from './ShardProgress';
import { watermarkFloor } from './watermarkFloor';
import { planFixedWindows, type FixedUnit } from './planFixedWindows';
import { lateThresholdMs } from './windowState';

/** Least time between two finalisation passes of a metric that no window boundary forces. */
const FINALIZE_INTERVAL_MS = 1_000;

/** Tuning of the aggregator's storage work. */
export interface WindowedAggregatorOptions {
  /**
   * Optimistic writes of one window (or one group's sessions) before the batch fails.
   * @default 12
   */
  readonly maxWriteAttempts?: number;
  /**
   * First back-off after a lost write race; doubles per attempt (full jitter), capped at 1 s.
   * @default 10
   */
  readonly retryBaseMs?: number;
  /**
   * Windows (or session groups) written concurrently.
   * @default 16
   */
  readonly writeConcurrency?: number;
}

/** What one batch did. */
export interface BatchSummary {
  /** (metric, event) pairs counted into at least one window. */
  readonly eventsCounted: number;
  readonly windowsWritten: number;
  /** Entries written to the late-event output (late or without an event time). */
  readonly lateEvents: number;
  readonly windowsFinalized: number;
  /** Optimistic writes that lost a race to another shard's consumer and were retried. */
  readonly writeConflicts: number;
  /** The pipeline watermark per metric after the batch. */
  readonly watermarkMs: Readonly<Record<string, number>>;
}


/**
 * The event-time windowing engine: one shard's batch in, windows, late events
 * and watermarks out. Handlers stay thin around it; the property tests run it
 * against an in-memory store.
 *
 * Per batch: read watermarks (1 query) → place events → per window touched,
 * read–merge–conditional write (tumbling, hopping) or per group, merge sessions
 * in one transaction → late events to the output and counted on their windows
 * → this shard's progress (1 write) → advance the pipeline watermark and
 * finalise the windows it passed (only when it moved).
 */
export class WindowedAggregator {
  private readonly maxWriteAttempts: number;
  private readonly retryBaseMs: number;
  /** When this container last ran finalisation, per metric. */
  private readonly finalizedAtMs = new Map<string, number>();
  private readonly writeConcurrency: number;

  public constructor(
    private readonly metrics: readonly CompiledMetric[],
    private readonly store: WindowStore,
    private readonly lateSink: LateEventSink,
    private readonly shards: ShardDirectory,
    options: WindowedAggregatorOptions = {},
  ) {
    this.maxWriteAttempts = options.maxWriteAttempts ?? 12;
    this.retryBaseMs = options.retryBaseMs ?? 10;
    this.writeConcurrency = options.writeConcurrency ?? 16;
  }

  /** Applies one shard's events, in shard order. Throws when storage fails; nothing is swallowed. */
  public async processBatch(shardId: string, events: readonly SourcedEvent[], nowMs: number): Promise<BatchSummary> {
    // Lost write races of this batch (a CloudWatch metric: contention on hot windows).
    const races = { lost: 0 };
    const [snapshot, listed] = await Promise.all([this.store.readWatermarks(), this.shards.listShards(nowMs)]);
    const placement = placeEvents(this.metrics, shardId, events, snapshot, listed, nowMs);
    const late = new LateCollector(shardId);
    const tasks: (() => Promise<number>)[] = [];
    const fixedUnits: { metric: CompiledMetric; unit: FixedUnit }[] = [];
    let eventsCounted = 0;

    this.metrics.forEach((metric, index) => {
      const placed = placement.placed[index]!;
      if (placed.length === 0) return;
      if (metric.window.kind === 'session') {
        const window = metric.window;
        for (const [, groupEvents] of groupBy(placed, (p) => p.group)) {
          tasks.push(() => this.applySessions(metric, window, groupEvents, late, nowMs, races));
        }
        eventsCounted += placed.length;
      } else {
        const plan = planFixedWindows(metric, metric.window, placed, late);
        eventsCounted += plan.eventsCounted;
        for (const unit of plan.units) fixedUnits.push({ metric, unit });
      }
    });

    // One BatchGetItem per 100 windows instead of a GetItem each; retries re-read one by one.
    const prefetched = await this.store.getWindows(fixedUnits.map(({ unit }) => unit.key));
    fixedUnits.forEach((unit, i) => tasks.push(() => this.applyFixedWindow(unit.metric, unit.unit, late, nowMs, prefetched[i], races)));
    const windowsWritten = (await runLimited(tasks, this.writeConcurrency, (task) => task())).reduce((sum, n) => sum + n, 0);
    const lateEvents = [...placement.invalid, ...late.entries()];
    await this.lateSink.write(lateEvents, nowMs);
    await this.store.addLateCounts(late.counts(), nowMs);
    await this.store.writeShardProgress(placement.progress, nowMs);
    // Re-read after writing this shard's progress: two shards finishing together
    // each read before the other wrote, and neither would advance the watermark.
    // Written-then-read guarantees the later reader sees both.
    const { watermarkMs, advanced } = await this.advanceWatermarks(await this.store.readWatermarks(), placement.progress, listed, nowMs, races);
    let windowsFinalized = 0;
    for (const metric of advanced) {
      if (!this.finalizationDue(metric, snapshot.watermarkMs[metric], watermarkMs[metric]!, nowMs)) continue;
      windowsFinalized += await this.store.finalizeWindows(metric, watermarkMs[metric]!, nowMs);
      this.finalizedAtMs.set(metric, nowMs);
    }
    return { eventsCounted, windowsWritten, lateEvents: lateEvents.length, windowsFinalized, writeConflicts: races.lost, watermarkMs };
  }

  /**
   * Finalisation costs a Query per index bucket. Session ends are arbitrary, so
   * a session metric finalises whenever its watermark moves. A fixed window's
   * final threshold (end − 1 + lateness) comes once per slide, so those
   * finalise when the watermark crosses one, and otherwise at most once a
   * second per container, which catches windows the eventually consistent
   * index did not show yet.
   */
  private finalizationDue(metricName: string, previousMs: number | undefined, watermarkMs: number, nowMs: number): boolean {
    const metric = this.metrics.find((m) => m.name === metricName)!;
    if (metric.window.kind === 'session' || previousMs === undefined) return true;
    if (nowMs - (this.finalizedAtMs.get(metricName) ?? Number.NEGATIVE_INFINITY) >= FINALIZE_INTERVAL_MS) return true;
    const stepMs = metric.window.kind === 'hopping' ? metric.window.slideMs : metric.window.sizeMs;
    const offsetMs = metric.window.sizeMs - 1 + metric.allowedLatenessMs;
    return Math.floor((watermarkMs - offsetMs) / stepMs) > Math.floor((previousMs - offsetMs) / stepMs);
  }

  /** Full-jitter exponential back-off after a lost race, so colliding consumers spread out. */
  private async backOff(attempt: number, races: { lost: number }): Promise<void> {
    races.lost += 1;
    const capMs = Math.min(1_000, this.retryBaseMs * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * capMs));
  }

  private async applyFixedWindow(metric: CompiledMetric, unit: FixedUnit, late: LateCollector, nowMs: number, prefetched: StoredWindow | undefined, races: { lost: number }): Promise<number> {
    for (let attempt = 1; attempt <= this.maxWriteAttempts; attempt++) {
      if (attempt > 1) await this.backOff(attempt, races);
      const stored = attempt === 1 ? prefetched : (await this.store.getWindows([unit.key]))[0];
      if (stored?.finalAtMs !== undefined) {
        // Finalised by another consumer after this batch read the watermark: the events are late after all.
        for (const placed of unit.events) late.missed(metric.name, placed, unit.key.startMs, unit.endMs, true);
        return 0;
      }
      const accumulator = stored ? WindowAccumulator.decode(metric.aggregations, stored.eventCount, stored.state) : new WindowAccumulator(metric.aggregations);
      accumulator.merge(unit.accumulator);
      const write = toWrite(metric, unit.key, unit.endMs, accumulator, stored);
      if (await this.store.writeWindows([write], [], nowMs)) return 1;
    }
    throw new WindowContentionError(describe(unit.key), this.maxWriteAttempts);
  }

  private async applySessions(metric: CompiledMetric, window: SessionWindow, events: readonly PlacedEvent[], late: LateCollector, nowMs: number, races: { lost: number }): Promise<number> {
    const group = events[0]!.group;
    let fromMs = Number.POSITIVE_INFINITY;
    let toMs = Number.NEGATIVE_INFINITY;
    for (const placed of events) {
      fromMs = Math.min(fromMs, placed.timeMs);
      toMs = Math.max(toMs, placed.timeMs + window.gapMs);
    }
    for (let attempt = 1; attempt <= this.maxWriteAttempts; attempt++) {
      if (attempt > 1) await this.backOff(attempt, races);
      const { sessions: stored, groupVersion } = await this.store.findSessions(metric.name, group, fromMs, toMs);
      const plan = mergeSessions(metric, window.gapMs, stored, events);
      const writes: WindowWrite[] = [];
      const deletes: WindowDelete[] = [];
      for (const session of plan.sessions) {
        const key = { metric: metric.name, group, startMs: session.startMs };
        const sameKey = session.absorbed.find((absorbed) => absorbed.startMs === session.startMs);
        writes.push(toWrite(metric, key, session.endMs, session.accumulator, sameKey));
        for (const absorbed of session.absorbed) {
          if (absorbed !== sameKey) deletes.push({ metric: metric.name, group, startMs: absorbed.startMs, expectedVersion: absorbed.version });
        }
      }
      const guard = { metric: metric.name, group, expectedVersion: groupVersion };
      if (writes.length === 0 || (await this.store.writeWindows(writes, deletes, nowMs, guard))) {
        for (const entry of plan.late) {
          late.missed(metric.name, entry.placed, entry.startMs, entry.endMs, entry.countedOn ?? false);
        }
        return writes.length;
      }
    }
    throw new WindowContentionError(`${metric.name}#${group} sessions`, this.maxWriteAttempts);
  }

  private async advanceWatermarks(
    snapshot: WatermarkSnapshot,
    progress: ShardProgress,
    listed: ReadonlyMap<string, number>,
    nowMs: number,
    races: { lost: number },
  ): Promise<{ watermarkMs: Record<string, number>; advanced: string[] }> {
    let current = snapshot;
    for (let attempt = 1; attempt <= this.maxWriteAttempts; attempt++) {
      // This shard's progress was just written; the snapshot may predate it.
      const shards = new Map(current.shards).set(progress.shardId, progress);
      const watermarkMs: Record<string, number> = { ...current.watermarkMs };
      const advanced: string[] = [];
      for (const metric of this.metrics) {
        const floor = watermarkFloor(watermarkInputs(metric.name, shards.values(), listed), nowMs, metric.maxDelayMs, metric.idleTimeoutMs);
        const previous = watermarkMs[metric.name] ?? Number.NEGATIVE_INFINITY;
        if (Number.isFinite(floor) && floor > previous) {
          watermarkMs[metric.name] = floor;
          advanced.push(metric.name);
        }
      }
      if (advanced.length === 0) return { watermarkMs, advanced };
      if (await this.store.advanceWatermarks(watermarkMs, current.version, nowMs)) return { watermarkMs, advanced };
      await this.backOff(attempt + 1, races);
      current = await this.store.readWatermarks();
    }
    throw new WindowContentionError('pipeline watermark', this.maxWriteAttempts);
  }
}

function toWrite(metric: CompiledMetric, key: WindowKey, endMs: number, accumulator: WindowAccumulator, stored: StoredWindow | undefined): WindowWrite {
  return {
    ...key,
    endMs,
    eventCount: accumulator.eventCount,
    state: accumulator.encode(),
    values: accumulator.results(),
    lateEventCount: stored?.lateEventCount ?? 0,
    expectedVersion: stored?.version ?? 0,
    finalAtWatermarkMs: lateThresholdMs(endMs, metric.allowedLatenessMs),
  };
}

function describe(key: WindowKey): string {
  return `${key.metric}#${key.group}@${key.startMs}`;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
