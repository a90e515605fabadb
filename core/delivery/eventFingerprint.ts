import { createHash } from 'node:crypto';
import type { EventEnvelope } from '../envelope/EventEnvelope';

/** Bytes kept of an event's identity hash: collisions among a minute's events of one shard are ~n²/2⁶⁵. */
export const FINGERPRINT_BYTES = 8;

/**
 * An event's identity as the duplicate ledger stores it: the first 8 bytes of
 * SHA-256 over (key, id), hex. A producer that re-sends an event sends the
 * same key and id; the ingest function's own retry re-sends the same envelope.
 */
export function eventFingerprint(event: Pick<EventEnvelope, 'key' | 'id'>): string {
  return createHash('sha256').update(event.key).update('\u0000').update(event.id).digest().subarray(0, FINGERPRINT_BYTES).toString('hex');
}

/** The event-time minute a fingerprint is filed under: a duplicate carries the same event time as its original. */
export function ledgerMinute(timeMs: number): number {
  return Math.floor(timeMs / 60_000);
}
