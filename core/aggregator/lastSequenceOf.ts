import { maxSequenceNumber } from '../delivery/sequenceNumbers';
import type { PlacedEvent } from '../windowing/placeEvents';

/** The largest sequence number among `events` (at least one): what an item's marks move to once it holds them. */
export function lastSequenceOf(events: readonly PlacedEvent[]): string {
  let last: string | undefined;
  for (const placed of events) last = maxSequenceNumber(last, placed.source.sequenceNumber);
  return last!;
}
