import type { SequenceRange } from '../delivery/sequenceNumbers';

/**
 * What one batch attempt took, for one event-time minute: the fingerprints
 * of the events it kept and the sequence numbers it dropped as duplicates.
 */
export interface LedgerEntry {
  readonly range: SequenceRange;
  readonly minute: number;
  readonly fingerprints: ReadonlySet<string>;
  /** Events of `range` dropped as producer duplicates, by `eventPosition` (rare: usually empty). */
  readonly duplicates: readonly string[];
}

/**
 * Which events a shard took, per event-time minute, for the dedupe horizon.
 * One item per (batch, minute) — 8 bytes per event — not one per event.
 */
export interface DuplicateLedger {
  /** The live entries of `shardId` for these minutes (expired ones left out). */
  read(shardId: string, minutes: readonly number[], nowMs: number): Promise<LedgerEntry[]>;
  /** Records a batch's entries before any window sees its events. Idempotent per (range, minute). */
  write(entries: readonly LedgerEntry[], nowMs: number): Promise<void>;
}
