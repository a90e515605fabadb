import type { DuplicateLedger } from '../ports/DuplicateLedger';
import type { SourcedEvent } from '../windowing/placeEvents';
import type { AggregationMode } from './AggregationMode';
import { dropDuplicates, minutesOf, type Deduplicated } from './dropDuplicates';

/** A replay's stand-in range: it contains no record, so each one is judged by the entry that took it. */
const NO_RANGE = { first: '-1', last: '-1' };

/**
 * Takes producer duplicates out before placement (see `dropDuplicates`),
 * judged against the ledger entries of the batch's event-time minutes. A
 * redelivery is told from a duplicate by the mode's ledger range; a replay,
 * which has none, keeps every record an entry took and writes no entries.
 */
export async function deduplicateBatch(ledger: DuplicateLedger | undefined, shardId: string, events: readonly SourcedEvent[], mode: AggregationMode, nowMs: number): Promise<Deduplicated> {
  if (!ledger || events.length === 0) return { kept: events, duplicates: [], entries: [] };
  const entries = await ledger.read(shardId, minutesOf(events), nowMs);
  if (mode.ledgerRange) return dropDuplicates(mode.ledgerRange, events, entries);
  return { ...dropDuplicates({ shardId, ...NO_RANGE }, events, entries), entries: [] };
}
