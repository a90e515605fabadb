import type { DynamoDBRecord } from 'aws-lambda';
import { fromStreamImage } from '../../adapters/dynamodb/fromStreamImage';
import { AGGREGATE_KEYS, storedGroupKey } from '../../adapters/dynamodb/aggregateKeys';
import { toWindowResult } from '../../adapters/dynamodb/windowItems';
import type { CountValueUpdated, WindowValue } from '../../core/changes/CountValueUpdated';
import { canonicalJson } from '../../core/json/canonicalJson';

/**
 * The `count-value-updated` event a change of the aggregates table means, or
 * undefined when it means none: watermarks, shard progress and session-group
 * version items are bookkeeping, and a write that changed only bookkeeping
 * (marks, versions, the pending-final index) changed no value a reader sees.
 */
export function toCountValueUpdated(record: DynamoDBRecord): CountValueUpdated | undefined {
  const change = record.dynamodb;
  if (!change) return undefined;
  // As every store reads: sums beyond 2^53 are doubles, not BigInts no JSON can hold.
  // Binary (sketch states, which readers merge over a window's partials) as bytes, not the event's base64.
  const before = change.OldImage ? fromStreamImage(change.OldImage) : undefined;
  const after = change.NewImage ? fromStreamImage(change.NewImage) : undefined;
  const item = after ?? before;
  if (!item || !isWindow(item)) return undefined;
  const oldValue = before && isWindow(before) ? windowValueOf(before) : null;
  const newValue = after && isWindow(after) ? windowValueOf(after) : null;
  const wasFinal = typeof before?.finalAt === 'number';
  const isFinal = typeof after?.finalAt === 'number';
  if (oldValue && newValue && wasFinal === isFinal && sameValue(oldValue, newValue)) return undefined;
  const window = toWindowResult(item);
  // SNS takes 256 KB a message: a group that long (a producer's 200 KB value) is sent as its start and its stored key.
  const longGroup = window.group.length > MAX_GROUP_CHARS_PUBLISHED;
  return {
    type: 'count-value-updated',
    metric: window.metric,
    group: longGroup ? window.group.slice(0, MAX_GROUP_CHARS_PUBLISHED) : window.group,
    ...(longGroup ? { groupTruncated: true, groupKey: storedGroupKey(window.group) } : {}),
    windowStart: window.startMs,
    windowEnd: window.endMs,
    old: oldValue,
    new: newValue,
    final: isFinal,
    timestamp: Math.round((change.ApproximateCreationDateTime ?? 0) * 1000),
    changeId: change.SequenceNumber ?? record.eventID ?? '',
  };
}

/** Characters of a group a message carries; longer ones are cut and name their stored key. */
export const MAX_GROUP_CHARS_PUBLISHED = 4_096;

/** Window items carry their metric and end; bookkeeping items do not (or sit in the watermark partition). */
function isWindow(item: Record<string, unknown>): boolean {
  return (
    item[AGGREGATE_KEYS.partitionKey] !== AGGREGATE_KEYS.watermarkPartition &&
    item[AGGREGATE_KEYS.sortKey] !== AGGREGATE_KEYS.sessionGroupSort &&
    typeof item.metric === 'string' &&
    typeof item.windowEnd === 'number'
  );
}

function windowValueOf(item: Record<string, unknown>): WindowValue {
  const window = toWindowResult(item);
  return { eventCount: window.eventCount, lateEvents: window.lateEventCount, values: window.values };
}

function sameValue(a: WindowValue, b: WindowValue): boolean {
  return a.eventCount === b.eventCount && a.lateEvents === b.lateEvents && canonicalJson(a.values) === canonicalJson(b.values);
}
