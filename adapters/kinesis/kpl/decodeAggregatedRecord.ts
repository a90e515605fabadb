import { createHash } from 'node:crypto';
import { AggregatedRecordFormatError } from '../../../core/errors';
import { KPL_FORMAT } from './KPL_FORMAT';
import { ProtobufReader } from './ProtobufReader';
import type { UserRecord } from './UserRecord';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The user records of a KPL aggregated record, in order (their index is the
 * sub-sequence number), or undefined when `data` is a plain record: it lacks
 * the magic bytes, or its trailing MD5 does not match — as the KCL decides,
 * since a plain record may start with those bytes by chance. A record whose
 * checksum matches but whose protobuf is not an `AggregatedRecord` throws
 * AggregatedRecordFormatError: a KPL producer wrote it, and it is broken.
 */
export function decodeAggregatedRecord(data: Uint8Array): UserRecord[] | undefined {
  const { magic, checksumBytes } = KPL_FORMAT;
  if (data.byteLength < magic.byteLength + checksumBytes) return undefined;
  for (let i = 0; i < magic.byteLength; i += 1) if (data[i] !== magic[i]) return undefined;
  const protobuf = data.subarray(magic.byteLength, data.byteLength - checksumBytes);
  const checksum = createHash('md5').update(protobuf).digest();
  if (!checksum.equals(data.subarray(data.byteLength - checksumBytes))) return undefined;
  return readAggregatedRecord(protobuf);
}

interface RawRecord {
  partitionKeyIndex?: number;
  explicitHashKeyIndex?: number;
  data?: Uint8Array;
}

function readAggregatedRecord(protobuf: Uint8Array): UserRecord[] {
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const raw: RawRecord[] = [];
  const reader = new ProtobufReader(protobuf);
  for (let field = reader.next(); field; field = reader.next()) {
    if (field.wireType !== 2) continue; // an unknown varint field; every field the format has is length-delimited
    if (field.field === KPL_FORMAT.aggregated.partitionKeyTable) partitionKeys.push(text(field.value, 'a partition key'));
    else if (field.field === KPL_FORMAT.aggregated.explicitHashKeyTable) explicitHashKeys.push(text(field.value, 'an explicit hash key'));
    else if (field.field === KPL_FORMAT.aggregated.records) raw.push(readRecord(field.value, raw.length));
  }
  return raw.map((record, index) => {
    // proto2 `required` fields: a record without them was not written by a KPL encoder.
    if (record.partitionKeyIndex === undefined) throw new AggregatedRecordFormatError(`user record ${index} has no partition key index`);
    if (record.data === undefined) throw new AggregatedRecordFormatError(`user record ${index} has no data`);
    const partitionKey = partitionKeys[record.partitionKeyIndex];
    if (partitionKey === undefined) throw new AggregatedRecordFormatError(`user record ${index} points at partition key ${record.partitionKeyIndex} of ${partitionKeys.length}`);
    if (record.explicitHashKeyIndex === undefined) return { partitionKey, data: record.data };
    const explicitHashKey = explicitHashKeys[record.explicitHashKeyIndex];
    if (explicitHashKey === undefined) throw new AggregatedRecordFormatError(`user record ${index} points at explicit hash key ${record.explicitHashKeyIndex} of ${explicitHashKeys.length}`);
    return { partitionKey, explicitHashKey, data: record.data };
  });
}

function readRecord(bytes: Uint8Array, index: number): RawRecord {
  const record: RawRecord = {};
  const reader = new ProtobufReader(bytes);
  for (let field = reader.next(); field; field = reader.next()) {
    const { partitionKeyIndex, explicitHashKeyIndex, data } = KPL_FORMAT.record;
    if (field.field === partitionKeyIndex || field.field === explicitHashKeyIndex) {
      if (field.wireType !== 0) throw new AggregatedRecordFormatError(`user record ${index}: field ${field.field} is not a varint`);
      if (field.field === partitionKeyIndex) record.partitionKeyIndex = field.value;
      else record.explicitHashKeyIndex = field.value;
    } else if (field.field === data) {
      if (field.wireType !== 2) throw new AggregatedRecordFormatError(`user record ${index}: its data is not length-delimited`);
      record.data = field.value;
    }
    // Tags (field 4) and unknown fields carry nothing a consumer needs.
  }
  return record;
}

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AggregatedRecordFormatError(`${what} is not UTF-8`);
  }
}
