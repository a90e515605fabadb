import { WindowAccumulator } from '../aggregation/WindowAccumulator';
import { runLimited } from '../async/runLimited';
import { beginBatch, completeBatch, NO_DELIVERY, pendingRange, type DeliveryState } from '../delivery/DeliveryState';
import { maxSequenceNumber, type SequenceRange } from '../delivery/sequenceNumbers';
import { ALWAYS_RUN, type BatchIdempotency } from '../ports/BatchIdempotency';
import type { CompletionLog } from '../ports/CompletionLog';
import { dropDuplicates, minutesOf, type Deduplicated } from './dropDuplicates';
import type { DuplicateLedger } from '../ports/DuplicateLedger';
import { liveFilter, redriveFilter, type SourceFilter } from '../delivery/SourceFilter';
import { NO_MARKS, type SourceMarks } from '../delivery/SourceMarks';
import { LOST_RACE, retryOnConflict } from '../retry/retryOnConflict';
import { WRITE_RACE_POLICY, type RetryPolicy } from '../retry/retryPolicy';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { SessionWindow } from '../metrics/MetricDefinition';
import type { LateEventSink } from '../ports/LateEventSink';
import type { StoredWindow, WindowDelete, WindowKey, WindowStore, WindowWrite } from '../ports/WindowStore';
import { LateCollector, type LateTarget } from '../windowing/LateCollector';
import { mergeSessions } from '../windowing/mergeSessions';
import { placeEvents, watermarkInputs, type PlacedEvent, type SourcedEvent } from '../windowing/placeEvents';
import type { ShardDirectory } from '../ports/ShardDirectory';
import type { ShardProgress, WatermarkSnapshot } from '../ports/ShardProgress';
import type { LateEvent } from '../ports/LateEventSink';
import { watermarkFloor } from '../windowing/watermarkFloor';
import { planFixedWindows, type FixedUnit } from '../windowing/planFixedWindows';
import { lateThresholdMs } from '../windowing/windowState';

/** Least time between two finalisation passes of a metric that no window boundary forces. */
const FINALIZE_INTERVAL_MS = 1_000;

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
}

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
 * How a batch is applied.
 * - `live`: the stream consumer (the default). Announces the batch (its
 *   range: every record delivered, default the events' first and last) before
 *   writing, records completion, moves the watermark.
 * - `redrive`: records the ESM gave up on (an on-failure range), applied as
 *   if they had not failed: never late, final windows repaired.
 * - `replay`: records re-read from the stream; whatever a window already holds
 *   is skipped. Also never late. Neither repair mode touches progress or watermarks.
 */
export type BatchMode = { readonly kind: 'live'; readonly range?: SequenceRange } | { readonly kind: 'redrive'; readonly range: SequenceRange } | { readonly kind: 'replay' };


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
  private readonly writeRaces: RetryPolicy;
  /** When this container last ran finalisation, per metric. */
  private readonly finalizedAtMs = new Map<string, number>();
  private readonly writeConcurrency: number;

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
  }

  /** Applies one shard's events, in shard order. Throws when storage fails; nothing is swallowed. */
  public async processBatch(shardId: string, events: readonly SourcedEvent[], nowMs: number, mode: BatchMode = { kind: 'live' }): Promise<BatchSummary> {
    if (mode.kind === 'live' && !mode.range && events.length > 0) {
      mode = { kind: 'live', range: { shardId, first: events[0]!.sequenceNumber, last: events[events.length - 1]!.sequenceNumber } };
    }
    // Lost write races of this batch (a CloudWatch metric: contention on hot windows).
    const races = { lost: 0 };
    const skipped = { count: 0 };
    const [snapshot, listed] = await Promise.all([this.store.readWatermarks(), this.shards.listShards(nowMs)]);
    const deduplicated = await this.deduplicate(shardId, events, mode, nowMs);
    const delivery = await this.announce(shardId, snapshot, mode, deduplicated, nowMs);
    const filter = await this.filterFor(shardId, delivery, mode);
    const repair = mode.kind !== 'live';
    const placement = placeEvents(this.metrics, shardId, deduplicated.kept, snapshot, listed, nowMs);
    let eventsCounted = 0;
    let windowsWritten = 0;
    let lateEvents = 0;

    const apply = async (): Promise<void> => {
      const late = new LateCollector(shardId);
      const tasks: (() => Promise<number>)[] = [];
      const fixedUnits: { metric: CompiledMetric; unit: FixedUnit }[] = [];
      this.metrics.forEach((metric, index) => {
        // Records that failed or are re-read were on time when they arrived: repairs ignore lateness.
        const placed = repair ? placement.placed[index]!.map((p) => ({ ...p, watermarkMs: Number.NEGATIVE_INFINITY })) : placement.placed[index]!;
        if (placed.length === 0) return;
        if (metric.window.kind === 'session') {
          const window = metric.window;
          for (const [, groupEvents] of groupBy(placed, (p) => p.group)) {
            tasks.push(() => this.applySessions(metric, window, groupEvents, late, filter, nowMs, races, skipped));
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
      fixedUnits.forEach((unit, i) => tasks.push(() => this.applyFixedWindow(unit.metric, unit.unit, late, filter, repair, nowMs, prefetched[i], races, skipped)));
      windowsWritten = (await runLimited(tasks, this.writeConcurrency, (task) => task())).reduce((sum, n) => sum + n, 0);
      lateEvents = await this.applyLate(late, placement.invalid, filter, nowMs, races);
      if (mode.kind === 'live' && mode.range) await this.guards.completions.recordCompleted(mode.range, nowMs);
    };
    const applied = mode.kind === 'live' && mode.range ? await (this.guards.batches ?? ALWAYS_RUN).runOnce(mode.range, apply) : (await apply(), true);
    if (!applied) skipped.count += deduplicated.kept.length;
    const duplicatesDropped = applied ? deduplicated.duplicates.length : 0;

    if (mode.kind !== 'live') {
      return { eventsCounted, windowsWritten, lateEvents, windowsFinalized: 0, writeConflicts: races.lost, watermarkMs: snapshot.watermarkMs, redeliveriesSkipped: skipped.count, duplicatesDropped, applied };
    }
    const progress = { ...placement.progress, delivery: mode.range ? completeBatch(delivery, mode.range.last) : delivery };
    await this.store.writeShardProgress(progress, nowMs);
    // Re-read after writing this shard's progress: two shards finishing together
    // each read before the other wrote, and neither would advance the watermark.
    // Written-then-read guarantees the later reader sees both.
    const { watermarkMs, advanced } = await this.advanceWatermarks(await this.store.readWatermarks(), progress, listed, nowMs, races);
    let windowsFinalized = 0;
    for (const metric of advanced) {
      if (!this.finalizationDue(metric, snapshot.watermarkMs[metric], watermarkMs[metric]!, nowMs)) continue;
      windowsFinalized += await this.store.finalizeWindows(metric, watermarkMs[metric]!, nowMs);
      this.finalizedAtMs.set(metric, nowMs);
    }
    return { eventsCounted, windowsWritten, lateEvents, windowsFinalized, writeConflicts: races.lost, watermarkMs, redeliveriesSkipped: skipped.count, duplicatesDropped, applied };
  }

  /**
   * A live batch writes its range to the shard's progress before it touches
   * any window (one PutItem): what lets the next batch see that records were
   * started and never completed (abandoned to the DLQ), and freeze the
   * windows' marks for them. Repairs only read the state.
   */
  private async announce(shardId: string, snapshot: WatermarkSnapshot, mode: BatchMode, deduplicated: Deduplicated, nowMs: number): Promise<DeliveryState> {
    const stored = snapshot.shards.get(shardId);
    const delivery = stored?.delivery ?? NO_DELIVERY;
    // The ledger entries go first too: a batch abandoned halfway still keeps later duplicates of what it took out.
    const ledgerWrite = mode.kind !== 'replay' && this.guards.duplicates && deduplicated.entries.length > 0 ? this.guards.duplicates.write(deduplicated.entries, nowMs) : undefined;
    if (mode.kind !== 'live' || !mode.range) {
      await ledgerWrite;
      return delivery;
    }
    const announced = beginBatch(delivery, mode.range, nowMs);
    await Promise.all([
      this.store.writeShardProgress({ shardId, maxEventTimeMs: stored?.maxEventTimeMs ?? {}, activeAtMs: stored?.activeAtMs ?? {}, delivery: announced }, nowMs),
      ledgerWrite,
    ]);
    return announced;
  }

  /**
   * Producer duplicates out before placement (see `dropDuplicates`). Needs the
   * batch's range to tell a duplicate from a redelivery; a replay reads the
   * ledger under the range each record arrived in, so it only keeps records.
   */
  private async deduplicate(shardId: string, events: readonly SourcedEvent[], mode: BatchMode, nowMs: number): Promise<Deduplicated> {
    const ledger = this.guards.duplicates;
    const range = mode.kind === 'replay' ? undefined : mode.range;
    if (!ledger || events.length === 0) return { kept: events, duplicates: [], entries: [] };
    const entries = await ledger.read(shardId, minutesOf(events), nowMs);
    if (range) return dropDuplicates(range, events, entries);
    // A replay: each record is judged against the range of the entry that took it, never as the first of a new range.
    const replayed = dropDuplicates({ shardId, first: '-1', last: '-1' }, events, entries);
    return { ...replayed, entries: [] };
  }

  /** The filter a batch's writes go through; a redrive's depends on what became of its range. */
  private async filterFor(shardId: string, delivery: DeliveryState, mode: BatchMode): Promise<SourceFilter> {
    if (mode.kind !== 'redrive') return liveFilter(shardId, delivery);
    const abandonedAfter = abandonedRangeOf(mode.range, delivery);
    if (abandonedAfter !== undefined) return redriveFilter(mode.range, { abandonedAfter });
    return redriveFilter(mode.range, (await this.guards.completions.isCompleted(mode.range)) ? 'completed' : 'unstarted');
  }

  /**
   * Late events: read the windows they count on, drop the ones a window already
   * holds (an earlier delivery counted them), write the output entries, then
   * add the counts with conditional updates that also move the windows' marks.
   * Entries go first: a crash in between leaves entries whose count a retry
   * still adds, never a count without its entry.
   */
  private async applyLate(late: LateCollector, invalid: readonly LateEvent[], filter: SourceFilter, nowMs: number, races: { lost: number }): Promise<number> {
    const targets = late.targets();
    const stored = targets.length > 0 ? await this.store.getWindows(targets.map((t) => t.key)) : [];
    const fresh = targets.map((target, i) => this.freshLate(target, stored[i], filter, late));
    const entries = [...invalid, ...late.entries()];
    await this.lateSink.write(entries, nowMs);
    await runLimited(
      targets.map((target, i) => ({ target, stored: stored[i], events: fresh[i]! })),
      this.writeConcurrency,
      async ({ target, stored: first, events }) => {
        if (events.length === 0) return;
        await this.retry(`late count ${target.id}`, races, async (attempt) => {
          const current = attempt === 1 ? first : (await this.store.getWindows([target.key]))[0];
          const pending = attempt === 1 ? events : this.freshLate(target, current, filter, late);
          if (pending.length === 0) return;
          const marks = filter.mark(current?.marks ?? NO_MARKS, lastSequenceOf(pending));
          if (await this.store.addLateCount({ ...target.key, endMs: target.endMs, count: pending.length, expectedVersion: current?.version ?? 0, marks }, nowMs)) return;
          return LOST_RACE;
        });
      },
    );
    return entries.length;
  }

  private freshLate(target: LateTarget, stored: StoredWindow | undefined, filter: SourceFilter, late: LateCollector): PlacedEvent[] {
    const marks = stored?.marks ?? NO_MARKS;
    return target.events.filter((placed) => {
      if (filter.accepts(marks, placed.source.sequenceNumber)) return true;
      late.held(target.id, placed);
      return false;
    });
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

  /** One optimistic write under the write-race policy, counting the races it loses. */
  private retry<T>(what: string, races: { lost: number }, attempt: (attemptNumber: number) => Promise<T | typeof LOST_RACE>): Promise<T> {
    return retryOnConflict(what, attempt, { policy: this.writeRaces, onLostRace: () => (races.lost += 1) });
  }

  private async applyFixedWindow(
    metric: CompiledMetric,
    unit: FixedUnit,
    late: LateCollector,
    filter: SourceFilter,
    repair: boolean,
    nowMs: number,
    prefetched: StoredWindow | undefined,
    races: { lost: number },
    skipped: { count: number },
  ): Promise<number> {
    return this.retry(describe(unit.key), races, async (attempt) => {
      const stored = attempt === 1 ? prefetched : (await this.store.getWindows([unit.key]))[0];
      const marks = stored?.marks ?? NO_MARKS;
      const fresh = unit.events.filter((placed) => filter.accepts(marks, placed.source.sequenceNumber));
      if (fresh.length === 0) {
        skipped.count += unit.events.length;
        return 0;
      }
      if (stored?.finalAtMs !== undefined && !repair) {
        // Finalised by another consumer after this batch read the watermark: the events are late after all.
        for (const placed of fresh) late.missed(metric.name, placed, unit.key.startMs, unit.endMs, true);
        return 0;
      }
      // The pre-aggregated delta is exact unless an earlier delivery already wrote some of these events.
      let delta = unit.accumulator;
      if (fresh.length < unit.events.length) {
        delta = new WindowAccumulator(metric.aggregations);
        for (const placed of fresh) delta.add(placed.source.event);
      }
      const accumulator = stored ? WindowAccumulator.decode(metric.aggregations, stored.eventCount, stored.state) : new WindowAccumulator(metric.aggregations);
      accumulator.merge(delta);
      const write = toWrite(metric, unit.key, unit.endMs, accumulator, stored, filter.mark(marks, lastSequenceOf(fresh)));
      if (!(await this.store.writeWindows([write], [], nowMs))) return LOST_RACE;
      skipped.count += unit.events.length - fresh.length;
      return 1;
    });
  }

  private async applySessions(
    metric: CompiledMetric,
    window: SessionWindow,
    events: readonly PlacedEvent[],
    late: LateCollector,
    filter: SourceFilter,
    nowMs: number,
    races: { lost: number },
    skipped: { count: number },
  ): Promise<number> {
    const group = events[0]!.group;
    let fromMs = Number.POSITIVE_INFINITY;
    let toMs = Number.NEGATIVE_INFINITY;
    for (const placed of events) {
      fromMs = Math.min(fromMs, placed.timeMs);
      toMs = Math.max(toMs, placed.timeMs + window.gapMs);
    }
    return this.retry(`${metric.name}#${group} sessions`, races, async () => {
      const { sessions: stored, groupVersion, groupMarks } = await this.store.findSessions(metric.name, group, fromMs, toMs);
      // The group's marks say which events its sessions (or their late counts) already took.
      const fresh = events.filter((placed) => filter.accepts(groupMarks, placed.source.sequenceNumber));
      if (fresh.length === 0) {
        skipped.count += events.length;
        return 0;
      }
      const plan = mergeSessions(metric, window.gapMs, stored, fresh);
      const writes: WindowWrite[] = [];
      const deletes: WindowDelete[] = [];
      for (const session of plan.sessions) {
        const key = { metric: metric.name, group, startMs: session.startMs };
        const sameKey = session.absorbed.find((absorbed) => absorbed.startMs === session.startMs);
        writes.push(toWrite(metric, key, session.endMs, session.accumulator, sameKey, sameKey?.marks ?? NO_MARKS));
        for (const absorbed of session.absorbed) {
          if (absorbed !== sameKey) deletes.push({ metric: metric.name, group, startMs: absorbed.startMs, expectedVersion: absorbed.version });
        }
      }
      const guard = { metric: metric.name, group, expectedVersion: groupVersion, marks: filter.mark(groupMarks, lastSequenceOf(fresh)) };
      if (writes.length > 0 && !(await this.store.writeWindows(writes, deletes, nowMs, guard))) return LOST_RACE;
      skipped.count += events.length - fresh.length;
      for (const entry of plan.late) {
        late.missed(metric.name, entry.placed, entry.startMs, entry.endMs, entry.countedOn ?? false);
      }
      return writes.length;
    });
  }

  private async advanceWatermarks(
    snapshot: WatermarkSnapshot,
    progress: ShardProgress,
    listed: ReadonlyMap<string, number>,
    nowMs: number,
    races: { lost: number },
  ): Promise<{ watermarkMs: Record<string, number>; advanced: string[] }> {
    return this.retry('pipeline watermark', races, async (attempt) => {
      const current = attempt === 1 ? snapshot : await this.store.readWatermarks();
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
      if (advanced.length === 0 || (await this.store.advanceWatermarks(watermarkMs, current.version, nowMs))) return { watermarkMs, advanced };
      return LOST_RACE;
    });
  }
}

function toWrite(metric: CompiledMetric, key: WindowKey, endMs: number, accumulator: WindowAccumulator, stored: StoredWindow | undefined, marks: SourceMarks): WindowWrite {
  return {
    ...key,
    marks,
    ...(stored?.finalAtMs !== undefined ? { finalAtMs: stored.finalAtMs } : {}),
    endMs,
    eventCount: accumulator.eventCount,
    state: accumulator.encode(),
    values: accumulator.results(),
    lateEventCount: stored?.lateEventCount ?? 0,
    expectedVersion: stored?.version ?? 0,
    finalAtWatermarkMs: lateThresholdMs(endMs, metric.allowedLatenessMs),
  };
}


/**
 * The abandoned range (named by the sequence number it starts after) that
 * holds an on-failure range: a recorded one, or the one the next live batch
 * will record (started, never completed). Undefined: no batch ever started on
 * these records, so no window holds any of them.
 */
export function abandonedRangeOf(range: SequenceRange, delivery: DeliveryState): string | undefined {
  const first = BigInt(range.first);
  for (const [after, abandoned] of Object.entries(delivery.abandoned)) {
    if (first > BigInt(after) && first <= BigInt(abandoned.through)) return after;
  }
  const pending = pendingRange(delivery);
  if (pending && first > BigInt(pending.after) && first <= BigInt(pending.through)) return pending.after;
  return undefined;
}

function lastSequenceOf(events: readonly PlacedEvent[]): string {
  let last: string | undefined;
  for (const placed of events) last = maxSequenceNumber(last, placed.source.sequenceNumber);
  return last!;
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
