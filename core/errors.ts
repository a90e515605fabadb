/** Base class of every error Tributary raises on purpose; match with `instanceof`. */
export class TributaryError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TributaryError';
  }
}

/** The project's configuration is invalid; raised at synth time and at cold start. */
export class ConfigError extends TributaryError {
  public constructor(
    /** Every problem found, each naming its field. */
    public readonly problems: readonly string[],
  ) {
    super(`Invalid Tributary configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** A request to the ingest or query API is unusable as a whole (HTTP 4xx). */
export class RequestError extends TributaryError {
  public constructor(
    public readonly statusCode: 400 | 404 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/**
 * A stream record that can never be processed: its data is not base64 JSON or
 * not a valid event envelope (`decodeEnvelope`). Retrying it cannot help, so it
 * never fails a batch: `decodeRecords` catches it, and the aggregator and the
 * archive send the record to the rejected-records output with this message as
 * the reason, and the shard moves on.
 */
export class PoisonRecordError extends TributaryError {
  public constructor(
    public readonly sequenceNumber: string,
    reason: string,
    /** The user record's index inside a KPL aggregated record; absent for a plain record. */
    public readonly subSequence?: number,
  ) {
    super(`Record ${sequenceNumber}${subSequence === undefined ? '' : ` sub-record ${subSequence}`} cannot be processed: ${reason}`);
    this.name = 'PoisonRecordError';
  }
}

/**
 * A record starts with the KPL magic bytes and its MD5 checksum matches, so a
 * KPL producer wrote it, but its protobuf is not an `AggregatedRecord`: none
 * of its user records can be read. Permanent, like a PoisonRecordError.
 */
export class AggregatedRecordFormatError extends TributaryError {
  public constructor(reason: string) {
    super(`KPL aggregated record is malformed: ${reason}`);
    this.name = 'AggregatedRecordFormatError';
  }
}

/** A stored sketch's bytes are not what the sketch writes: a corrupted or foreign item. */
export class SketchDecodeError extends TributaryError {
  public constructor(message: string) {
    super(message);
    this.name = 'SketchDecodeError';
  }
}

/**
 * An optimistic write (a window, a session group, a late count or the pipeline
 * watermark) lost the race to other shards' consumers on every attempt the
 * write-race policy allows (`WRITE_RACE_POLICY`); the batch fails and the event
 * source mapping retries it.
 */
export class WriteConflictsExhaustedError extends TributaryError {
  public constructor(
    /** The item that kept changing, e.g. `orders#eu@1767268800000`. */
    public readonly what: string,
    /** Conditional writes tried, the first included. */
    public readonly attempts: number,
  ) {
    super(`${what} changed under ${attempts} consecutive conditional writes`);
    this.name = 'WriteConflictsExhaustedError';
  }
}

/**
 * One group's sessions would change more items than one DynamoDB transaction
 * holds. Thrown while the batch holds several records, so the event source
 * mapping bisects it until each half fits.
 */
export class TransactionTooLargeError extends TributaryError {
  public constructor(
    /** Items the transaction would write or delete. */
    public readonly items: number,
    /** Items one transaction may hold. */
    public readonly limit: number,
  ) {
    super(`One group's sessions changed ${items} items in one batch; at most ${limit} fit a transaction (the batch will be bisected)`);
    this.name = 'TransactionTooLargeError';
  }
}

/**
 * A window item would pass DynamoDB's item size limit even with every partial
 * compacted into its top-level content (decision 0016): its merged content and
 * the shards' marks alone are too big, so no retry can help. Permanent: the
 * aggregator classifies it like DynamoDB's own ValidationException, so the
 * event source mapping bisects the batch and the record that causes it goes to
 * the rejected-records output with this message as the reason.
 */
export class WindowItemTooLargeError extends TributaryError {
  public constructor(
    public readonly metric: string,
    public readonly group: string,
    public readonly windowStartMs: number,
    /** The item's estimated size after compaction. */
    public readonly itemBytes: number,
    public readonly limitBytes: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Window ${metric} group ${JSON.stringify(group)} at ${new Date(windowStartMs).toISOString()} would be ${itemBytes} bytes even with its partials compacted; DynamoDB's item limit is ${limitBytes} bytes`,
      options,
    );
    this.name = 'WindowItemTooLargeError';
  }
}

/**
 * A window's finalisation kept losing to writes of its partials between its
 * read and its update: transient (the batch fails and is retried; the window
 * stays pending and the next pass finalises it).
 */
export class FinalizationRaceError extends TributaryError {
  public constructor(
    /** The window item's key. */
    public readonly key: Readonly<Record<string, unknown>>,
    public readonly attempts: number,
  ) {
    super(`Finalising window ${JSON.stringify(key)} lost ${attempts} races to partial writes`);
    this.name = 'FinalizationRaceError';
  }
}

/** A shard id that is not Kinesis's `shardId-<digits>`: the progress item's sort key cannot be derived from it. */
export class UnexpectedShardIdError extends TributaryError {
  public constructor(public readonly shardId: string) {
    super(`Unexpected Kinesis shard id ${JSON.stringify(shardId)}`);
    this.name = 'UnexpectedShardIdError';
  }
}

/** A time window whose end is not after its start: [startMs, endMs) would hold no instant. */
export class EmptyTimeWindowError extends TributaryError {
  public constructor(
    public readonly startMs: number,
    public readonly endMs: number,
  ) {
    super(`Time window [${startMs}, ${endMs}) is empty: its end must lie after its start`);
    this.name = 'EmptyTimeWindowError';
  }
}

/** A DLQ message points at records the stream no longer holds (past retention): they cannot be redriven. */
export class RecordsExpiredError extends TributaryError {
  public constructor(
    public readonly range: { readonly shardId: string; readonly first: string; readonly last: string },
    detail: string,
  ) {
    super(`Records ${range.first}..${range.last} of ${range.shardId} are no longer in the stream (${detail}); the DLQ message is kept`);
    this.name = 'RecordsExpiredError';
  }
}

/**
 * An operation's answers kept leaving work undone (unprocessed keys or items)
 * until the retry policy ran out of attempts or time; the caller fails, and
 * its invocation is retried as a whole.
 */
export class RetriesExhaustedError extends TributaryError {
  public constructor(
    what: string,
    public readonly attempts: number,
    /** Items the last answer left undone. */
    public readonly leftOver: number,
    elapsedMs: number,
  ) {
    super(`${what}: ${leftOver} item(s) still unprocessed after ${attempts} attempts in ${Math.round(elapsedMs)} ms`);
    this.name = 'RetriesExhaustedError';
  }
}
