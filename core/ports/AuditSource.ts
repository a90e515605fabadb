import type { EventEnvelope } from '../envelope/EventEnvelope';

/** A final window as the audit reads it: its key, extent, and what it says it holds. */
export interface AuditedWindow {
  readonly metric: string;
  readonly group: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Events counted into it (the window item's `eventCount`). */
  readonly eventCount: number;
  /** Events too late for it, recorded in the late-event output (the window item's `lateEvents`). */
  readonly lateEventCount: number;
  /** When it became final (epoch ms). */
  readonly finalAtMs: number;
}

/** What a read returned, with the read capacity it consumed (DynamoDB's ConsumedCapacity, in RCUs). */
export interface Read<T> {
  readonly items: T;
  readonly readUnits: number;
}

/**
 * What the correctness audit reads: recently final windows from the
 * aggregates table and raw events from the archive. `DynamoAuditSource` in
 * production; tests plug in what they built with the real aggregator core.
 */
export interface AuditSource {
  /**
   * `metric`'s windows that became final in [finalFromMs, finalToMs), newest
   * first per index partition, at most `limitPerPartition` from each (the
   * caller samples from them).
   */
  finalWindows(metric: string, finalFromMs: number, finalToMs: number, limitPerPartition: number): Promise<Read<AuditedWindow[]>>;
  /** Every archived event of these types whose envelope time lies in [fromMs, toMs). */
  rawEvents(types: readonly string[], fromMs: number, toMs: number): Promise<Read<EventEnvelope[]>>;
}
