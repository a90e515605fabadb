/**
 * Delivery table layout: partition `pk`, sort `sk`, both strings; TTL
 * `expiresAt`. It holds the completion log (`done#<shardId>`) and the
 * duplicate ledger (`seen#<shardId>#<event-time minute>`).
 */
export const DELIVERY_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

/** A sequence number as a sort key: zero-padded to Kinesis's 128 digits, so string order is numeric order. */
export function sequenceSortKey(sequenceNumber: string): string {
  return sequenceNumber.padStart(128, '0');
}
