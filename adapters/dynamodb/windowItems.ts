import type { AggregateValue } from '../../core/aggregation/AggregateValue';
import type { EncodedState } from '../../core/aggregation/EncodedState';
import { readMarks } from '../../core/delivery/SourceMarks';
import type { WindowResult } from '../../core/ports/WindowReader';
import type { StoredWindow, WindowWrite } from '../../core/ports/WindowStore';
import { AGGREGATE_KEYS, pendingPartition, windowItemKey } from './aggregateKeys';

// A window item's attributes in the aggregates table, in one place for both directions: the window
// store writes them (toWindowItem) and reads them back (toStoredWindow); the query API and the change
// publisher read only what a reader sees (toWindowResult), so their bundles carry no write-side code.

/** What a reader sees of a window item: key, extent, counts, results, finality. */
export function toWindowResult(item: Record<string, unknown>): WindowResult {
  return {
    metric: item.metric as string,
    group: item.group as string,
    startMs: item[AGGREGATE_KEYS.sortKey] as number,
    endMs: item.windowEnd as number,
    eventCount: (item.eventCount as number | undefined) ?? 0,
    values: (item.values as Record<string, AggregateValue> | undefined) ?? {},
    lateEventCount: (item.lateEvents as number | undefined) ?? 0,
    ...(typeof item.finalAt === 'number' ? { finalAtMs: item.finalAt } : {}),
  };
}

/** A window item as the window store reads it: what a reader sees plus the state, version and marks writers need. */
export function toStoredWindow(item: Record<string, unknown>): StoredWindow {
  return {
    ...toWindowResult(item),
    state: (item.state as Record<string, EncodedState> | undefined) ?? {},
    version: (item.version as number | undefined) ?? 0,
    updatedAtMs: (item.updatedAt as number | undefined) ?? 0,
    marks: readMarks(item.src),
  };
}

/**
 * The item a window write puts: its attributes at version `expectedVersion + 1`,
 * expiring at `expiresAtS` (epoch seconds, the TTL attribute). A window not yet
 * final is listed in the pending index under the watermark that finalises it;
 * a repaired final window stays final and out of that index.
 */
export function toWindowItem(write: WindowWrite, nowMs: number, expiresAtS: number): Record<string, unknown> {
  return {
    ...windowItemKey(write),
    metric: write.metric,
    group: write.group,
    windowEnd: write.endMs,
    eventCount: write.eventCount,
    state: write.state,
    values: write.values,
    lateEvents: write.lateEventCount,
    src: write.marks,
    version: write.expectedVersion + 1,
    updatedAt: nowMs,
    [AGGREGATE_KEYS.ttlAttribute]: expiresAtS,
    ...(write.finalAtMs !== undefined
      ? // A repaired final window stays listed in the recent-final index, which the audit samples.
        { finalAt: write.finalAtMs, [AGGREGATE_KEYS.finalPartitionKey]: pendingPartition(write.metric, write.group) }
      : { [AGGREGATE_KEYS.pendingPartitionKey]: pendingPartition(write.metric, write.group), [AGGREGATE_KEYS.pendingSortKey]: write.finalAtWatermarkMs }),
  };
}
