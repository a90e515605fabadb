import type { DynamoDBRecord } from 'aws-lambda';
import { AGGREGATE_KEYS, storedGroupKey } from '../../adapters/dynamodb/aggregateKeys';
import { fromStreamImage } from '../../adapters/dynamodb/fromStreamImage';
import { toWindowResult } from '../../adapters/dynamodb/windowItems';
import type { FinalWindow } from '../../core/alerts/FinalWindow';

/** A window that just became final, with its group's stored key (short, stable: the alert state's key). */
export interface FinalWindowChange {
  readonly window: FinalWindow;
  readonly groupKey: string;
}

/**
 * The window a change of the aggregates table finalised, or undefined for
 * every other change: a window is evaluated when it becomes final (its
 * `finalAt` appears), which happens exactly once per window — the aggregator
 * finalises with one conditional update, and a final window never changes
 * again. Updates of open windows, bookkeeping items and deletions (merged
 * sessions) are not evaluated.
 */
export function finalWindowOf(record: DynamoDBRecord): FinalWindowChange | undefined {
  const change = record.dynamodb;
  if (!change?.NewImage) return undefined;
  const after = fromStreamImage(change.NewImage);
  if (after[AGGREGATE_KEYS.partitionKey] === AGGREGATE_KEYS.watermarkPartition || after[AGGREGATE_KEYS.sortKey] === AGGREGATE_KEYS.sessionGroupSort) return undefined;
  if (typeof after.metric !== 'string' || typeof after.windowEnd !== 'number' || typeof after.finalAt !== 'number') return undefined;
  const before = change.OldImage ? fromStreamImage(change.OldImage) : undefined;
  if (typeof before?.finalAt === 'number') return undefined;
  const window = toWindowResult(after);
  return { window, groupKey: storedGroupKey(window.group) };
}
