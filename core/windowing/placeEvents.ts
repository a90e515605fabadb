import { parseEventTime } from '../envelope/parseEventTime';
import type { EventEnvelope } from '../envelope/EventEnvelope';
import type { CompiledMetric } from '../metrics/compileMetric';
import { groupKeyFor } from '../metrics/groupKeyFor';
import { readField } from '../metrics/readField';
import { NO_DELIVERY } from '../delivery/DeliveryState';
import { LATE_REASONS, type LateEvent } from '../ports/LateEventSink';
import type { ShardProgress, WatermarkSnapshot } from '../ports/ShardProgress';
import { watermarkFloor, type WatermarkInput } from './watermarkFloor';

/** An event as it came off the stream. */
export interface SourcedEvent {
  readonly event: EventEnvelope;
  readonly sequenceNumber: string;
  /**
   * The event's index inside its KPL aggregated record (issue 15); absent or 0
   * for a plain record. Several events share a sequence number, so an event's
   * identity is (sequenceNumber, subSequence): see `eventPosition`.
   */
  readonly subSequence?: number;
  /** The record's JSON text, which the late output keeps as it is; else the event is serialised. */
  readonly json?: string;
  /** When the stream took the record (its approximate arrival): what "ahead of arrival" is measured from. */
  readonly arrivedAtMs?: number;
}

/** An event a metric takes, with its event time, group and the watermark it arrived at. */
export interface PlacedEvent {
  readonly source: SourcedEvent;
  readonly timeMs: number;
  readonly group: string;
  /** The metric's watermark just before this event: what decides whether it is late. */
  readonly watermarkMs: number;
}

/** A batch sorted per metric, with the shard's progress after it. */
export interface Placement {
  /** Per metric (same order as the metrics), its events in shard order. */
  readonly placed: readonly PlacedEvent[][];
  /** Events whose event time could not be read, or lies too far ahead of their arrival. */
  readonly invalid: readonly LateEvent[];
  readonly progress: ShardProgress;
}

/**
 * Filters a shard's batch per metric, reads event times and groups, and gives
 * each event the watermark it arrives at. The shard's own watermark advances
 * event by event (so a batch behaves like the same events one at a time, in
 * Flink's sense); other shards contribute what they had stored when the batch
 * started; the result never goes below the stored pipeline watermark.
 */
export function placeEvents(
  metrics: readonly CompiledMetric[],
  shardId: string,
  events: readonly SourcedEvent[],
  snapshot: WatermarkSnapshot,
  listedShards: ReadonlyMap<string, number>,
  nowMs: number,
): Placement {
  const stored = snapshot.shards.get(shardId);
  const maxEventTimeMs: Record<string, number> = { ...stored?.maxEventTimeMs };
  const activeAtMs: Record<string, number> = { ...stored?.activeAtMs };
  const invalid: LateEvent[] = [];
  const placed = metrics.map((metric) => {
    const floorOfOthers = watermarkFloor(otherInputs(metric.name, shardId, snapshot, listedShards), nowMs, metric.maxDelayMs, metric.idleTimeoutMs);
    const previousMs = snapshot.watermarkMs[metric.name] ?? Number.NEGATIVE_INFINITY;
    const { accepted, shardMaxMs } = acceptEvents(metric, shardId, events, floorOfOthers, previousMs, maxEventTimeMs[metric.name] ?? Number.NEGATIVE_INFINITY, invalid);
    if (accepted.length > 0) {
      maxEventTimeMs[metric.name] = shardMaxMs;
      activeAtMs[metric.name] = nowMs;
    }
    return accepted;
  });
  return { placed, invalid, progress: { shardId, maxEventTimeMs, activeAtMs, delivery: stored?.delivery ?? NO_DELIVERY } };
}

/**
 * One metric's pass over the batch: the events it takes, each with the watermark
 * it arrives at. A function of its own, not a closure made per batch: V8 then
 * keeps one optimised version of this loop instead of deoptimising it on every batch.
 */
function acceptEvents(
  metric: CompiledMetric,
  shardId: string,
  events: readonly SourcedEvent[],
  floorOfOthers: number,
  previousMs: number,
  storedMaxMs: number,
  invalid: LateEvent[],
): { accepted: PlacedEvent[]; shardMaxMs: number } {
  let shardMaxMs = storedMaxMs;
  const accepted: PlacedEvent[] = [];
  // A batch holds a few types in long runs: comparing with the last one is cheaper than a set lookup of a fresh string.
  let lastType: string | undefined;
  let lastTypeTaken = false;
  for (const source of events) {
    const event = source.event;
    if (event.type !== lastType) {
      lastType = event.type;
      lastTypeTaken = metric.types.has(lastType);
    }
    if (!lastTypeTaken || !metric.where(event)) continue;
    const timeMs = readEventTime(event, metric.eventTime);
    if (timeMs === undefined) {
      invalid.push({
        metric: metric.name,
        reason: LATE_REASONS.invalidEventTime,
        event,
        ...(source.json !== undefined ? { eventJson: source.json } : {}),
        windowsMissed: [],
        shardId,
        sequenceNumber: source.sequenceNumber,
        ...(source.subSequence ? { subSequence: source.subSequence } : {}),
      });
      continue;
    }
    const ownMs = shardMaxMs - metric.maxDelayMs;
    const watermarkMs = Math.max(previousMs, Math.min(floorOfOthers, ownMs));
    // Measured from the record's arrival, which every redelivery, redrive and replay of it shares.
    if (source.arrivedAtMs !== undefined && timeMs > source.arrivedAtMs + metric.maxFutureMs) {
      invalid.push({
        metric: metric.name,
        reason: LATE_REASONS.futureEventTime,
        event,
        ...(source.json !== undefined ? { eventJson: source.json } : {}),
        eventTimeMs: timeMs,
        group: groupKeyFor(event, metric.groupBy),
        windowsMissed: [],
        watermarkMs,
        shardId,
        sequenceNumber: source.sequenceNumber,
        ...(source.subSequence ? { subSequence: source.subSequence } : {}),
      });
      continue;
    }
    accepted.push({ source, timeMs, group: groupKeyFor(event, metric.groupBy), watermarkMs });
    if (timeMs > shardMaxMs) shardMaxMs = timeMs;
  }
  return { accepted, shardMaxMs };
}

/**
 * The watermark inputs for one metric: every shard's stored progress, plus the
 * listed shards that have not reported yet, which hold the watermark back
 * (from when they were first seen) until they go idle.
 */
export function watermarkInputs(
  metricName: string,
  shards: Iterable<ShardProgress>,
  listedShards: ReadonlyMap<string, number>,
): WatermarkInput[] {
  const inputs: WatermarkInput[] = [];
  const reported = new Set<string>();
  for (const shard of shards) {
    const activeAtMs = shard.activeAtMs[metricName];
    if (activeAtMs === undefined) continue;
    reported.add(shard.shardId);
    inputs.push({ maxEventTimeMs: shard.maxEventTimeMs[metricName], activeAtMs });
  }
  for (const [shardId, firstSeenAtMs] of listedShards) {
    if (!reported.has(shardId)) inputs.push({ maxEventTimeMs: undefined, activeAtMs: firstSeenAtMs });
  }
  return inputs;
}

function otherInputs(metricName: string, shardId: string, snapshot: WatermarkSnapshot, listedShards: ReadonlyMap<string, number>): WatermarkInput[] {
  const others = [...snapshot.shards.values()].filter((shard) => shard.shardId !== shardId);
  const listedOthers = new Map([...listedShards].filter(([id]) => id !== shardId));
  return watermarkInputs(metricName, others, listedOthers);
}

function readEventTime(event: EventEnvelope, path: readonly string[]): number | undefined {
  // The envelope's own time was validated at ingest; a data path may hold anything.
  if (path.length === 1 && path[0] === 'time') return event.time;
  const value = readField(event, path);
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const parsed = parseEventTime(value);
  return parsed.ok ? parsed.epochMs : undefined;
}
