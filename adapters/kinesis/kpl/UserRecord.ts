/** One user record inside a KPL aggregated record (or a plain record, seen the same way). */
export interface UserRecord {
  readonly partitionKey: string;
  /** A 128-bit hash key in decimal, when the producer chose the shard itself. */
  readonly explicitHashKey?: string;
  readonly data: Uint8Array;
}
