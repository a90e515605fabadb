import type { AggregateValue } from '../../core/aggregation/AggregateValue';
import type { EncodedState } from '../../core/aggregation/EncodedState';
import { type EncodedContent, mergePartials, type StoredAggregation } from '../../core/aggregation/mergePartials';
import { readMarks } from '../../core/delivery/SourceMarks';
import type { WindowResult } from '../../core/ports/WindowReader';
import type { StoredWindow, WindowPartial, WindowWrite } from '../../core/ports/WindowStore';
import { AGGREGATE_KEYS, pendingPartition, shardSortKey, windowItemKey } from './aggregateKeys';
import { attributeBytes } from './itemBytes';

// A window item's attributes in the aggregates table, in one place for both directions: the window
// store writes them (toWindowItem, partialSlot) and reads them back (toStoredWindow); the query API,
// the change publisher and the alerts read only what a reader sees (toWindowResult).
//
// A fixed window keeps one partial per shard that wrote it, each a top-level attribute `p<shard
// number>` (top-level: SET on a nested path fails while its parent does not exist), so consumers
// of different shards never race on the item (decision 0013). Until the window is final, readers
// merge the partials here, with the aggregations' shape the item carries (`aggregations`);
// finalisation writes the merged content top-level, and from then on that is the window's content.

/** Matches a partial's attribute name. */
export const PARTIAL_ATTRIBUTE = /^p\d+$/;

/** The attribute of a shard's partial in a window item: `p` and the number in `shardId-000000000007`. */
export function partialAttribute(shardSortKey: number): string {
  return `p${shardSortKey}`;
}

/** A partial as stored: its content, marks and version, and the shard it belongs to. */
export function partialSlot(shardId: string, partial: Omit<WindowPartial, 'version'>, version: number): Record<string, unknown> {
  return { shard: shardId, eventCount: partial.eventCount, state: partial.state, src: partial.marks, version };
}

/** The stored partials of a window item (the `p<n>` attributes). */
function slotsOf(item: Record<string, unknown>): Record<string, unknown>[] {
  const slots: Record<string, unknown>[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (PARTIAL_ATTRIBUTE.test(name) && typeof value === 'object' && value !== null) slots.push(value as Record<string, unknown>);
  }
  return slots;
}

/** A stored partial's content, what readers merge (no marks: readers never need them). */
function contentOfSlot(slot: Record<string, unknown>): EncodedContent {
  return { eventCount: (slot.eventCount as number | undefined) ?? 0, state: (slot.state as Record<string, EncodedState> | undefined) ?? {} };
}

/** The partials of a window item, by shard id. */
export function partialsOf(item: Record<string, unknown>): Record<string, WindowPartial> {
  const partials: Record<string, WindowPartial> = {};
  for (const slot of slotsOf(item)) {
    partials[slot.shard as string] = { ...contentOfSlot(slot), marks: readMarks(slot.src), version: (slot.version as number | undefined) ?? 0 };
  }
  return partials;
}

/**
 * A window item's content: the top-level one for a final window, a session
 * or a window written before partials, merged with its partials while it is
 * not final (the top-level part is then what a window written before
 * partials already held).
 */
function contentOf(item: Record<string, unknown>, parts: readonly EncodedContent[]): EncodedContent & { values: Record<string, AggregateValue> } {
  const topLevel = {
    eventCount: (item.eventCount as number | undefined) ?? 0,
    state: (item.state as Record<string, EncodedState> | undefined) ?? {},
    values: (item.values as Record<string, AggregateValue> | undefined) ?? {},
  };
  const aggregations = item.aggregations as StoredAggregation[] | undefined;
  if (typeof item.finalAt === 'number' || parts.length === 0 || !aggregations) return topLevel;
  return mergePartials(aggregations, item.state === undefined ? parts : [topLevel, ...parts]);
}

/** What a reader sees of a window item: key, extent, counts, results (merged over its partials), finality. */
export function toWindowResult(item: Record<string, unknown>): WindowResult {
  return resultOf(item, contentOf(item, slotsOf(item).map(contentOfSlot)));
}

function resultOf(item: Record<string, unknown>, content: { eventCount: number; values: Record<string, AggregateValue> }): WindowResult {
  return {
    metric: item.metric as string,
    group: item.group as string,
    startMs: item[AGGREGATE_KEYS.sortKey] as number,
    endMs: item.windowEnd as number,
    eventCount: content.eventCount,
    values: content.values,
    lateEventCount: (item.lateEvents as number | undefined) ?? 0,
    ...(typeof item.finalAt === 'number' ? { finalAtMs: item.finalAt } : {}),
  };
}

/**
 * A window item as the window store reads it: what a reader sees plus the
 * state, version, marks and partials writers need. The merged content is
 * computed when first read: a consumer writing its own partial never reads it
 * (merging 64 partials' sketches costs milliseconds), a final window's is top-level.
 */
export function toStoredWindow(item: Record<string, unknown>): StoredWindow {
  const partials = partialsOf(item);
  let content: ReturnType<typeof contentOf> | undefined;
  const merged = () => (content ??= contentOf(item, Object.values(partials)));
  const { eventCount: _eventCount, values: _values, ...rest } = resultOf(item, { eventCount: 0, values: {} });
  return {
    ...rest,
    get eventCount() {
      return merged().eventCount;
    },
    get values() {
      return merged().values;
    },
    get state() {
      return merged().state;
    },
    version: (item.version as number | undefined) ?? 0,
    updatedAtMs: (item.updatedAt as number | undefined) ?? 0,
    marks: readMarks(item.src),
    partials,
  };
}

/** The merged content finalisation writes top-level, or undefined for an item without partials (its top-level content is already all of it). */
export function finalContentOf(item: Record<string, unknown>): (EncodedContent & { values: Record<string, AggregateValue> }) | undefined {
  const parts = slotsOf(item).map(contentOfSlot);
  return parts.length === 0 ? undefined : contentOf(item, parts);
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

/**
 * Partials one compaction folds at most, its own included. DynamoDB caps an
 * UpdateExpression at 4 KB, and each folded partial adds `#pN = :pN, ` to it
 * (≤ 15 characters): 200 take ≤ 3,000, beside ≤ 400 for what the write sets
 * anyway. Beyond that (hundreds of shards with content in one window) the
 * largest are folded and the next compaction folds more.
 */
export const MAX_FOLDED_PARTIALS = 200;

/** A window item compacted: its folded partials' content moved top-level, those partials emptied but keeping their marks (decision 0016). */
export interface CompactedWindow {
  readonly eventCount: number;
  readonly state: Record<string, EncodedState>;
  readonly values: Record<string, AggregateValue>;
  /** The new value of every partial attribute the compaction rewrites (`p<n>`), the writer's own included; the others stay as they are. */
  readonly slots: Record<string, Record<string, unknown>>;
}

/**
 * Compacts a window item as read, with one shard's partial replaced by what
 * that shard writes now (`own`, at `ownVersion`): the top-level content
 * becomes the merge of the item's top-level content, the folded partials'
 * content and `own`'s, so readers, who merge the top-level content with the
 * partials (`contentOf`), see no change. A folded partial keeps its shard's
 * marks (redeliveries stay effectively-once) with empty content and its
 * version + 1, so a write of it based on the content read fails its
 * condition and re-reads. Folded: every partial holding content, the largest
 * first, at most `MAX_FOLDED_PARTIALS`; an empty partial is left alone (a
 * write based on it adds to nothing folded). A final window's readers read its
 * top-level content only, which already holds every partial's (or
 * `repaired`, a repair's new merged content): it stays, and the partials are
 * just emptied.
 */
export function compactedWindow(
  item: Record<string, unknown>,
  aggregations: readonly StoredAggregation[],
  own: { readonly shardId: string; readonly partial: Omit<WindowPartial, 'version'>; readonly version: number },
  repaired?: EncodedContent & { readonly values: Readonly<Record<string, AggregateValue>> },
): CompactedWindow {
  const ownAttribute = partialAttribute(shardSortKey(own.shardId));
  const holdingContent: { name: string; slot: Record<string, unknown>; bytes: number }[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name === ownAttribute || !PARTIAL_ATTRIBUTE.test(name) || typeof value !== 'object' || value === null) continue;
    const slot = value as Record<string, unknown>;
    const content = contentOfSlot(slot);
    if (content.eventCount > 0 || Object.keys(content.state).length > 0) holdingContent.push({ name, slot, bytes: attributeBytes(name, value) });
  }
  const folded = holdingContent.sort((a, b) => b.bytes - a.bytes).slice(0, MAX_FOLDED_PARTIALS - 1);
  const slots: Record<string, Record<string, unknown>> = {};
  for (const { name, slot } of folded) slots[name] = { ...slot, eventCount: 0, state: {}, version: ((slot.version as number | undefined) ?? 0) + 1 };
  slots[ownAttribute] = partialSlot(own.shardId, { eventCount: 0, state: {}, marks: own.partial.marks }, own.version);
  if (repaired) return { eventCount: repaired.eventCount, state: { ...repaired.state }, values: { ...repaired.values }, slots };
  const topLevel = contentOf(item, []);
  if (typeof item.finalAt === 'number') return { ...topLevel, slots };
  const merged = mergePartials(aggregations, [...(item.state === undefined ? [] : [topLevel]), ...folded.map(({ slot }) => contentOfSlot(slot)), own.partial]);
  return { ...merged, slots };
}
