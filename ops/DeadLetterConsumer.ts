import type { SequenceRange } from '../core/delivery/sequenceNumbers';

/**
 * One consumer's side of a DLQ redrive: what its on-failure messages point at,
 * how to re-read that from its stream, and how to apply it through the
 * consumer's own code so that a redrive is effectively once.
 */
export interface DeadLetterConsumer<P extends SequenceRange = SequenceRange, R = unknown> {
  /** What a message of this queue is, for the report: `Kinesis on-failure records`. */
  readonly messageKind: string;
  /** The range a message points at, or undefined when it is not one of this consumer's on-failure records. */
  rangeOf(body: string | undefined): P | undefined;
  /** The range's records from the stream; RecordsExpiredError when the stream no longer holds them. */
  read(range: P): Promise<readonly R[]>;
  /**
   * Applies them through the consumer's code; throws when they could not all
   * be applied. Resolves with how many it set aside in the rejected-records
   * output instead, as the function does with what no retry can fix.
   */
  apply(records: readonly R[], range: P, nowMs: number): Promise<number>;
  /**
   * The events the records hold, for the report: a Kinesis record from ingest
   * is a KPL aggregate of many. Absent where a record is one change.
   */
  eventsIn?(records: readonly R[]): number;
}
