import type { EventEnvelope } from '../envelope/EventEnvelope';

/** Why an event is in the late-event output. */
export const LATE_REASONS = {
  /** Too late for at least one of its windows. */
  late: 'late',
  /** The metric's event-time field is missing or not a time. */
  invalidEventTime: 'invalid-event-time',
  /**
   * The event time lies further ahead of the record's arrival on the stream
   * than the metric allows (a producer clock years off): counting it would
   * move the watermark there and make every on-time event after it late.
   */
  futureEventTime: 'future-event-time',
} as const;
export type LateReason = (typeof LATE_REASONS)[keyof typeof LATE_REASONS];

/** One event a metric could not count (fully), with the reason and where it came from. */
export interface LateEvent {
  readonly metric: string;
  readonly reason: LateReason;
  readonly event: EventEnvelope;
  /** The event's record as JSON text, kept as it is (else the event is serialised). */
  readonly eventJson?: string;
  /** The metric's event time, when it had one. */
  readonly eventTimeMs?: number;
  readonly group?: string;
  /** Start and end of each window the event missed. */
  readonly windowsMissed: readonly { readonly startMs: number; readonly endMs: number }[];
  /** The watermark the event met. */
  readonly watermarkMs?: number;
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Its index inside its KPL aggregated record, when past the first. */
  readonly subSequence?: number;
}

/** A record no retry can fix (not an event envelope): kept whole, with the reason, instead of blocking its shard. */
export interface RejectedRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** For one user record of a KPL aggregated record: its index in it (the others are applied). */
  readonly subSequence?: number;
  readonly reason: string;
  /** The record's data as it came off the stream, base64 (a user record's own data, for a sub-record). */
  readonly dataBase64: string;
  readonly arrivedAtMs: number;
}

/** The late-event output: durable, inspectable, replayable. */
export interface LateEventSink {
  /** Stores the events; idempotent (a redelivered record writes the same entry). */
  write(events: readonly LateEvent[], nowMs: number): Promise<void>;
}

/** The rejected-records output; idempotent like the late-event output. */
export interface RejectedRecordSink {
  reject(records: readonly RejectedRecord[], nowMs: number): Promise<void>;
}
