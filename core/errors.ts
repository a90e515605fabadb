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
 * A stream record can never be processed (not base64 JSON, not an envelope).
 * Retrying it cannot help: the consumers send it to the rejected-records output with this reason, and the shard moves on.
 */
export class PoisonRecordError extends TributaryError {
  public constructor(
    public readonly sequenceNumber: string,
    reason: string,
  ) {
    super(`Record ${sequenceNumber} cannot be processed: ${reason}`);
    this.name = 'PoisonRecordError';
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
 * A window kept changing under concurrent writers (other shards' consumers)
 * after every optimistic retry; the batch must be retried.
 */
export class WindowContentionError extends TributaryError {
  public constructor(window: string, attempts: number) {
    super(`Window ${window} changed under ${attempts} consecutive writes`);
    this.name = 'WindowContentionError';
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
