/**
 * The Kinesis Producer Library's aggregated-record format
 * (amazon-kinesis-producer aggregation-format.md): these 4 magic bytes, the
 * protobuf `AggregatedRecord`, then the 16-byte MD5 of the protobuf bytes.
 */
export const KPL_FORMAT = {
  magic: Buffer.from([0xf3, 0x89, 0x9a, 0xc2]),
  checksumBytes: 16,
  /** Field numbers of `AggregatedRecord`. */
  aggregated: { partitionKeyTable: 1, explicitHashKeyTable: 2, records: 3 },
  /** Field numbers of `Record`. */
  record: { partitionKeyIndex: 1, explicitHashKeyIndex: 2, data: 3, tags: 4 },
} as const;
