import { createHash } from 'node:crypto';
import { KPL_FORMAT } from './KPL_FORMAT';
import { ProtobufWriter, delimitedFieldBytes, varintBytes } from './ProtobufWriter';
import type { UserRecord } from './UserRecord';

/**
 * Packs user records into one KPL aggregated record, keeping count of the
 * bytes it will take, so a caller can stop before a size cap. The size is
 * what Kinesis counts against a record and a PUT payload unit: the data
 * (magic, protobuf, checksum) plus the outer partition key, which is the
 * first user record's (as KPL and aws-kinesis-agg do).
 */
export class AggregatedRecordBuilder {
  private readonly partitionKeys = new Map<string, number>();
  private readonly explicitHashKeys = new Map<string, number>();
  private readonly records: UserRecord[] = [];
  private protobufBytes = 0;

  /** How many user records it holds. */
  public get count(): number {
    return this.records.length;
  }

  /** The record's partition key: the first user record's. */
  public get partitionKey(): string | undefined {
    return this.records[0]?.partitionKey;
  }

  /** Data bytes plus outer partition key bytes, as the record is now. */
  public get recordBytes(): number {
    return this.recordBytesWith(0, this.records[0]?.partitionKey ?? '');
  }

  /** The record's size with `record` added. */
  public bytesWith(record: UserRecord): number {
    return this.recordBytesWith(this.addedBytes(record), this.records[0]?.partitionKey ?? record.partitionKey);
  }

  public add(record: UserRecord): void {
    this.protobufBytes += this.addedBytes(record);
    if (!this.partitionKeys.has(record.partitionKey)) this.partitionKeys.set(record.partitionKey, this.partitionKeys.size);
    if (record.explicitHashKey !== undefined && !this.explicitHashKeys.has(record.explicitHashKey)) this.explicitHashKeys.set(record.explicitHashKey, this.explicitHashKeys.size);
    this.records.push(record);
  }

  /** The aggregated record's data: magic, `AggregatedRecord`, MD5 of it. */
  public build(): Buffer {
    const writer = new ProtobufWriter();
    for (const key of this.partitionKeys.keys()) writer.bytes(KPL_FORMAT.aggregated.partitionKeyTable, key);
    for (const key of this.explicitHashKeys.keys()) writer.bytes(KPL_FORMAT.aggregated.explicitHashKeyTable, key);
    for (const record of this.records) {
      const inner = new ProtobufWriter().uint(KPL_FORMAT.record.partitionKeyIndex, this.partitionKeys.get(record.partitionKey)!);
      if (record.explicitHashKey !== undefined) inner.uint(KPL_FORMAT.record.explicitHashKeyIndex, this.explicitHashKeys.get(record.explicitHashKey)!);
      inner.bytes(KPL_FORMAT.record.data, record.data);
      writer.bytes(KPL_FORMAT.aggregated.records, inner.finish());
    }
    const protobuf = writer.finish();
    return Buffer.concat([KPL_FORMAT.magic, protobuf, createHash('md5').update(protobuf).digest()]);
  }

  private recordBytesWith(extraProtobufBytes: number, partitionKey: string): number {
    return KPL_FORMAT.magic.byteLength + this.protobufBytes + extraProtobufBytes + KPL_FORMAT.checksumBytes + Buffer.byteLength(partitionKey, 'utf8');
  }

  /** Protobuf bytes `record` adds: its table entries, if new, and its `Record` message. */
  private addedBytes(record: UserRecord): number {
    let bytes = 0;
    const keyIndex = this.partitionKeys.get(record.partitionKey) ?? this.partitionKeys.size;
    if (!this.partitionKeys.has(record.partitionKey)) bytes += delimitedFieldBytes(Buffer.byteLength(record.partitionKey, 'utf8'));
    let inner = 1 + varintBytes(keyIndex) + delimitedFieldBytes(record.data.byteLength);
    if (record.explicitHashKey !== undefined) {
      const hashIndex = this.explicitHashKeys.get(record.explicitHashKey) ?? this.explicitHashKeys.size;
      if (!this.explicitHashKeys.has(record.explicitHashKey)) bytes += delimitedFieldBytes(Buffer.byteLength(record.explicitHashKey, 'utf8'));
      inner += 1 + varintBytes(hashIndex);
    }
    return bytes + delimitedFieldBytes(inner);
  }
}

/** One aggregated record holding `records`, in order. */
export function encodeAggregatedRecord(records: readonly UserRecord[]): Buffer {
  const builder = new AggregatedRecordBuilder();
  for (const record of records) builder.add(record);
  return builder.build();
}
