import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AggregatedRecordBuilder, encodeAggregatedRecord } from '../../../../adapters/kinesis/kpl/AggregatedRecordBuilder';
import { decodeAggregatedRecord } from '../../../../adapters/kinesis/kpl/decodeAggregatedRecord';
import { KPL_FORMAT } from '../../../../adapters/kinesis/kpl/KPL_FORMAT';
import { ProtobufWriter } from '../../../../adapters/kinesis/kpl/ProtobufWriter';
import type { UserRecord } from '../../../../adapters/kinesis/kpl/UserRecord';
import { AggregatedRecordFormatError } from '../../../../core/errors';

/** Partition keys as producers send them: 1..256 characters, unicode included. */
const partitionKey = fc.oneof(fc.string({ minLength: 1, maxLength: 256, unit: 'grapheme' }), fc.constantFrom('k', 'x'.repeat(256), '顧客-1', '🦆'.repeat(128)));
const hashKey = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((n) => n.toString(10));
const userRecord: fc.Arbitrary<UserRecord> = fc.record(
  { partitionKey, explicitHashKey: hashKey, data: fc.uint8Array({ minLength: 0, maxLength: 2_000 }) },
  { requiredKeys: ['partitionKey', 'data'] },
);

/** A record's parts in a comparable shape (a Uint8Array view compares by its bytes). */
function plain(records: readonly UserRecord[]): { partitionKey: string; explicitHashKey?: string; data: string }[] {
  return records.map((record) => ({ partitionKey: record.partitionKey, ...(record.explicitHashKey !== undefined ? { explicitHashKey: record.explicitHashKey } : {}), data: Buffer.from(record.data).toString('hex') }));
}

/** Magic + `protobuf` + its MD5: what a KPL producer sends, with a body of our choosing. */
function framed(protobuf: Buffer): Buffer {
  return Buffer.concat([KPL_FORMAT.magic, protobuf, createHash('md5').update(protobuf).digest()]);
}

describe('KPL codec: encodeAggregatedRecord and decodeAggregatedRecord', () => {
  it('round-trips any user records: keys (unicode, 256 characters), explicit hash keys, empty data, 1 or many records', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 1, maxLength: 40 }), (records) => {
        const data = encodeAggregatedRecord(records);
        expect(data.subarray(0, 4)).toEqual(KPL_FORMAT.magic);
        expect(plain(decodeAggregatedRecord(data)!)).toEqual(plain(records));
      }),
      { numRuns: 200 },
    );
  });

  it("counts a record's size exactly before it is built, so a cap is never passed", () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 1, maxLength: 30 }), fc.integer({ min: 200, max: 30_000 }), (records, maxRecordBytes) => {
        const builder = new AggregatedRecordBuilder();
        for (const record of records) {
          const predicted = builder.bytesWith(record);
          if (builder.count > 0 && predicted > maxRecordBytes) break;
          builder.add(record);
          expect(builder.recordBytes).toBe(predicted);
        }
        const data = builder.build();
        expect(data.byteLength + Buffer.byteLength(builder.partitionKey!, 'utf8')).toBe(builder.recordBytes);
        if (builder.count > 1) expect(builder.recordBytes).toBeLessThanOrEqual(maxRecordBytes);
      }),
      { numRuns: 200 },
    );
  });

  it('fills a record up to the cap exactly: the one that reaches it fits, one byte more does not', () => {
    const builder = new AggregatedRecordBuilder();
    builder.add({ partitionKey: 'a', data: Buffer.alloc(100) });
    const cap = 25_000;
    // Find the data length whose record is exactly at the cap.
    let length = 0;
    while (builder.bytesWith({ partitionKey: 'b', data: Buffer.alloc(length + 1) }) <= cap) length += 1;
    expect(builder.bytesWith({ partitionKey: 'b', data: Buffer.alloc(length) })).toBe(cap);
    builder.add({ partitionKey: 'b', data: Buffer.alloc(length) });
    expect(builder.build().byteLength + 1).toBe(cap);
    expect(plain(decodeAggregatedRecord(builder.build())!).map((record) => record.partitionKey)).toEqual(['a', 'b']);
  });

  it('reads a record without the magic bytes, or whose checksum does not match, as a plain record (as the KCL does)', () => {
    expect(decodeAggregatedRecord(Buffer.from('{"id":"e1"}'))).toBeUndefined();
    expect(decodeAggregatedRecord(KPL_FORMAT.magic)).toBeUndefined();
    const data = encodeAggregatedRecord([{ partitionKey: 'k', data: Buffer.from('x') }]);
    data[data.byteLength - 1] = data[data.byteLength - 1]! ^ 0xff;
    expect(decodeAggregatedRecord(data)).toBeUndefined();
  });

  it('skips tags and fields it does not know, as a protobuf reader must', () => {
    const tag = new ProtobufWriter().bytes(1, 'name').bytes(2, 'value').finish();
    const inner = new ProtobufWriter().uint(1, 0).bytes(3, Buffer.from('hi')).bytes(4, tag).uint(9, 7).finish();
    const protobuf = new ProtobufWriter().bytes(1, 'key').uint(15, 1).bytes(3, inner).finish();
    expect(plain(decodeAggregatedRecord(framed(protobuf))!)).toEqual([{ partitionKey: 'key', data: Buffer.from('hi').toString('hex') }]);
  });

  it('throws AggregatedRecordFormatError for a broken protobuf behind a valid checksum, saying what is wrong', () => {
    const cases: [Buffer, string][] = [
      [Buffer.from([0x1a, 0x05, 0x08]), 'field 3 claims 5 bytes, 1 are left'],
      [new ProtobufWriter().bytes(1, 'k').bytes(3, new ProtobufWriter().uint(1, 3).bytes(3, 'x').finish()).finish(), 'user record 0 points at partition key 3 of 1'],
      [new ProtobufWriter().bytes(1, 'k').bytes(3, new ProtobufWriter().bytes(3, 'x').finish()).finish(), 'user record 0 has no partition key index'],
      [new ProtobufWriter().bytes(1, 'k').bytes(3, new ProtobufWriter().uint(1, 0).finish()).finish(), 'user record 0 has no data'],
      [Buffer.from([0x0a, 0x01, 0xff]), 'a partition key is not UTF-8'],
      [Buffer.from([0x0b]), 'field 1 has wire type 3, which the format never uses'],
      [Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 'a varint is longer than 10 bytes'],
    ];
    for (const [protobuf, reason] of cases) {
      expect(() => decodeAggregatedRecord(framed(protobuf))).toThrow(new AggregatedRecordFormatError(reason));
    }
  });
});
