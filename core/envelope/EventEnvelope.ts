/** An event as the ingest API stores it on the stream: validated and normalised. */
export interface EventEnvelope {
  /** Sortable unique id: the producer's, or a ULID assigned at ingest. */
  readonly id: string;
  /** Event type, e.g. `order.created`. */
  readonly type: string;
  /** Partition key on the stream. */
  readonly key: string;
  /** Event time in epoch milliseconds. */
  readonly time: number;
  /** The producer's payload: any JSON object. */
  readonly data: Readonly<Record<string, unknown>>;
  /** When the ingest function accepted the event, epoch milliseconds. */
  readonly receivedAt: number;
}

/** Limits the envelope is validated against. */
export const ENVELOPE_LIMITS = {
  /** Kinesis partition keys are at most 256 Unicode characters. */
  maxKeyLength: 256,
  maxTypeLength: 256,
  maxIdLength: 128,
  /**
   * Largest event as stored: its envelope's JSON in UTF-8 bytes, as written to
   * the stream. Every store holds an event in one item (DynamoDB: 400 KB with
   * its keys and attributes), so 256 KiB leaves room for the rest of the item;
   * Kinesis itself would take 1 MiB.
   */
  maxEventBytes: 256 * 1024,
  /** PutRecords takes at most 500 records; the API takes as many per request. */
  maxEventsPerRequest: 500,
} as const;

/** Characters of an event id: safe in every key and sort key it is part of. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
