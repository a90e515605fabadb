import type { SourcedEvent } from '../windowing/placeEvents';
import type { LedgerEntry } from '../ports/DuplicateLedger';
import { eventFingerprint, ledgerMinute } from '../delivery/eventFingerprint';
import { eventPosition } from '../delivery/eventPosition';
import { inRange, type SequenceRange } from '../delivery/sequenceNumbers';

/** A batch split into the events to aggregate and the producer duplicates to drop. */
export interface Deduplicated {
  readonly kept: readonly SourcedEvent[];
  readonly duplicates: readonly SourcedEvent[];
  /** This batch's ledger entries, one per event-time minute. */
  readonly entries: readonly LedgerEntry[];
}

/**
 * Drops producer duplicates: an event whose (key, id) a ledger entry holds is a
 * duplicate unless it is the very record that entry took (its sequence number
 * lies in the entry's range: a redelivery, which the windows' marks handle).
 * Dropped events are remembered by position (sequence number and, inside a
 * KPL aggregate, sub-record index): dropping one user record of an aggregate
 * must not drop its siblings on redelivery.
 * Within the batch the first occurrence wins. A record an entry already
 * dropped stays dropped, so every retry and bisected half decides the same.
 */
export function dropDuplicates(range: SequenceRange, events: readonly SourcedEvent[], ledger: readonly LedgerEntry[]): Deduplicated {
  const droppedBefore = new Set<string>();
  // Which entries took each fingerprint (keyed with the minute: fingerprints are filed per minute).
  const takenBy = new Map<string, LedgerEntry[]>();
  for (const entry of ledger) {
    for (const position of entry.duplicates) droppedBefore.add(position);
    for (const fingerprint of entry.fingerprints) {
      const key = `${entry.minute}:${fingerprint}`;
      const takers = takenBy.get(key);
      if (takers) takers.push(entry);
      else takenBy.set(key, [entry]);
    }
  }
  const kept: SourcedEvent[] = [];
  const duplicates: SourcedEvent[] = [];
  const byMinute = new Map<number, { fingerprints: Set<string>; duplicates: string[] }>();
  for (const sourced of events) {
    const fingerprint = eventFingerprint(sourced.event);
    const minute = ledgerMinute(sourced.event.time);
    let slot = byMinute.get(minute);
    if (!slot) {
      slot = { fingerprints: new Set(), duplicates: [] };
      byMinute.set(minute, slot);
    }
    const duplicate =
      droppedBefore.has(eventPosition(sourced)) ||
      slot.fingerprints.has(fingerprint) ||
      (takenBy.get(`${minute}:${fingerprint}`) ?? []).some((entry) => !inRange(entry.range, sourced.sequenceNumber));
    if (duplicate) {
      duplicates.push(sourced);
      slot.duplicates.push(eventPosition(sourced));
    } else {
      kept.push(sourced);
      slot.fingerprints.add(fingerprint);
    }
  }
  const entries = [...byMinute].map(([minute, slot]) => ({ range, minute, fingerprints: slot.fingerprints, duplicates: slot.duplicates }));
  return { kept, duplicates, entries };
}

/** The event-time minutes a batch's events fall in. */
export function minutesOf(events: readonly SourcedEvent[]): number[] {
  return [...new Set(events.map((sourced) => ledgerMinute(sourced.event.time)))];
}
