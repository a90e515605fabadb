import { pendingRange, type DeliveryState } from './DeliveryState';
import type { SequenceRange } from './sequenceNumbers';

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
