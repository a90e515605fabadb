import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { KinesisStreamRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecords } from '../../../../adapters/kinesis/decodeRecords';
import { encodeAggregatedRecord } from '../../../../adapters/kinesis/kpl/AggregatedRecordBuilder';
import { decodeAggregatedRecord } from '../../../../adapters/kinesis/kpl/decodeAggregatedRecord';
import { packUserRecords } from '../../../../adapters/kinesis/kpl/packUserRecords';
import { ShardHashRanges } from '../../../../adapters/kinesis/kpl/ShardHashRanges';
import type { EventEnvelope } from '../../../../core/envelope/EventEnvelope';
import type { RejectedRecord } from '../../../../core/ports/LateEventSink';
import { archiveRecords } from '../../../../functions/archive/archiveRecords';
import { envelopeFactory } from '../../../support/factories';

/**
 * aws-kinesis-agg 4.2.8, written by AWS Labs on protobufjs: the foreign
 * KPL-format producer and consumer. Its typings import aws-sdk v2, which is
 * not installed, so it is loaded untyped with the little of it used here.
 */
interface ForeignUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  data: string;
}
interface ForeignAgg {
  aggregate(
    records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[],
    encodedRecordHandler: (encoded: { partitionKey: string; data: Buffer; ExplicitHashKey?: string }, done: (error?: Error) => void) => void,
    afterPutAggregatedRecords: () => void,
    errorCallback: (error: Error) => void,
  ): void;
  deaggregateSync(record: { partitionKey: string; sequenceNumber: string; data: string }, computeChecksums: boolean, callback: (error: Error | null, records?: ForeignUserRecord[]) => void): void;
}
const foreign = createRequire(import.meta.url)('aws-kinesis-agg') as ForeignAgg;

/** Aggregates with the foreign library: every encoded record it hands over, in order. */
function foreignAggregate(records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[]): Promise<{ partitionKey: string; data: Buffer; ExplicitHashKey?: string }[]> {
  return new Promise((resolve, reject) => {
    const encoded: { partitionKey: string; data: Buffer; ExplicitHashKey?: string }[] = [];
    foreign.aggregate(
      records,
      (record, done) => {
        encoded.push(record);
        done();
      },
      () => resolve(encoded),
      reject,
    );
  });
}

function foreignDeaggregate(data: Buffer, sequenceNumber: string): ForeignUserRecord[] {
  let result: ForeignUserRecord[] = [];
  foreign.deaggregateSync({ partitionKey: 'outer', sequenceNumber, data: data.toString('base64') }, true, (error, records) => {
    if (error) throw error;
    result = records ?? [];
  });
  return result;
}

function streamRecord(sequenceNumber: string, data: Buffer, partitionKey = 'outer'): KinesisStreamRecord {
  return {
    kinesis: { kinesisSchemaVersion: '1.0', partitionKey, sequenceNumber, data: data.toString('base64'), approximateArrivalTimestamp: 1_767_268_831 },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: '',
    awsRegion: 'us-east-1',
    eventSourceARN: '',
  };
}

const envelopes = (count: number): EventEnvelope[] =>
  Array.from({ length: count }, (_, i) => envelopeFactory({ id: `evt-${i}`, key: i % 3 === 0 ? `客户-${i}` : `customer-${i % 7}`, data: { region: ['eu', 'us'][i % 2]!, amount: i } }));

describe('KPL conformance with aws-kinesis-agg (a producer and consumer no one here wrote)', () => {
  it('its aggregates deaggregate in our consumers (aggregator and archive) to exactly the events it packed, numbered by sub-record', async () => {
    const sent = envelopes(300);
    const encoded = await foreignAggregate(sent.map((event) => ({ partitionKey: event.key, data: Buffer.from(JSON.stringify(event)) })));
    expect(encoded.length).toBeLessThan(sent.length);
    const records = encoded.map((record, i) => streamRecord(String(1_000 + i), record.data, record.partitionKey));

    const { events, rejected } = decodeRecords(records);
    expect(rejected).toEqual([]);
    expect(events.map((sourced) => sourced.event)).toEqual(sent);
    // Sub-sequence numbers restart at 0 in every aggregate, as the KCL numbers them.
    const perRecord = new Map<string, number[]>();
    for (const sourced of events) perRecord.set(sourced.sequenceNumber, [...(perRecord.get(sourced.sequenceNumber) ?? []), sourced.subSequence!]);
    for (const subs of perRecord.values()) expect(subs).toEqual(subs.map((_, i) => i));

    const archived: EventEnvelope[] = [];
    const outcome = await archiveRecords(records, { putEvents: async (list) => (archived.push(...list), []) }, { reject: async () => {} }, 0);
    expect(outcome.archived).toBe(sent.length);
    expect(archived).toEqual(sent);
  });

  // aws-kinesis-agg builds its key tables with Object.keys, which lists array-index-like keys
  // ("0", "17": below 2^32 − 1) first and in numeric order, not in the order its indexes assume:
  // its bug, which swaps the keys of such records. Hash keys here start at 2^32 (1 in 2^96 real
  // ones is smaller) and partition keys with a letter; our decoder reads its wire format as written.
  it('its explicit hash keys and unicode partition keys read the same in our codec', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ partitionKey: fc.string({ minLength: 0, maxLength: 255 }).map((key) => `k${key}`), explicitHashKey: fc.bigInt({ min: 1n << 32n, max: (1n << 128n) - 1n }).map(String), data: fc.uint8Array({ minLength: 1, maxLength: 500 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (records) => {
          const encoded = await foreignAggregate(records.map((record) => ({ ...record, data: Buffer.from(record.data) })));
          const ours = encoded.flatMap((record) => decodeAggregatedRecord(record.data)!);
          expect(ours.map((record) => [record.partitionKey, record.explicitHashKey, Buffer.from(record.data).toString('hex')])).toEqual(
            records.map((record) => [record.partitionKey, record.explicitHashKey, Buffer.from(record.data).toString('hex')]),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('our aggregates deaggregate with its deaggregateSync (checksums on) to the same user records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ partitionKey: fc.string({ minLength: 1, maxLength: 256 }), data: fc.uint8Array({ minLength: 1, maxLength: 500 }) }), { minLength: 2, maxLength: 40 }),
        (records) => {
          const theirs = foreignDeaggregate(encodeAggregatedRecord(records), '42');
          expect(theirs.map((record) => [record.partitionKey, record.subSequenceNumber, Buffer.from(record.data, 'base64').toString('hex')])).toEqual(
            records.map((record, i) => [record.partitionKey, i, Buffer.from(record.data).toString('hex')]),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("ingest's packing, with explicit hash keys from a 4-shard map, deaggregates with it to every event in order", () => {
    const quarter = (1n << 126n);
    const ranges = new ShardHashRanges([0, 1, 2, 3].map((i) => ({ shardId: `shardId-00000000000${i}`, startingHashKey: BigInt(i) * quarter, endingHashKey: BigInt(i + 1) * quarter - 1n })));
    const sent = envelopes(500);
    const packed = packUserRecords(sent.map((event) => ({ partitionKey: event.key, data: Buffer.from(JSON.stringify(event)) })), ranges, 25_000);
    const read = packed.flatMap((record) =>
      record.members.length === 1 ? [Buffer.from(record.entry.Data!).toString()] : foreignDeaggregate(Buffer.from(record.entry.Data!), '7').map((user) => Buffer.from(user.data, 'base64').toString()),
    );
    expect(packed.length).toBeLessThanOrEqual(8);
    expect(read.map((text) => JSON.parse(text) as EventEnvelope).sort((a, b) => a.id.localeCompare(b.id))).toEqual([...sent].sort((a, b) => a.id.localeCompare(b.id)));
  });

  it('sends a user record that is not an event envelope to the rejected output with the aggregate and its index; its siblings are applied', () => {
    const good = envelopeFactory({ id: 'kept-1' });
    const data = encodeAggregatedRecord([
      { partitionKey: 'a', data: Buffer.from(JSON.stringify(good)) },
      { partitionKey: 'b', data: Buffer.from('not json') },
      { partitionKey: 'c', data: Buffer.from(JSON.stringify({ ...good, id: 'kept-2' })) },
    ]);
    const { events, rejected } = decodeRecords([streamRecord('900', data)]);
    expect(events.map((sourced) => [sourced.event.id, sourced.sequenceNumber, sourced.subSequence])).toEqual([
      ['kept-1', '900', 0],
      ['kept-2', '900', 2],
    ]);
    expect(rejected).toEqual<RejectedRecord[]>([
      {
        shardId: 'shardId-000000000000',
        sequenceNumber: '900',
        subSequence: 1,
        reason: 'Record 900 sub-record 1 cannot be processed: data is not base64-encoded JSON',
        dataBase64: Buffer.from('not json').toString('base64'),
        arrivedAtMs: 1_767_268_831_000,
      },
    ]);
  });

  it('rejects a whole aggregate whose checksum matches but whose protobuf is broken, and reads a bad-checksum one as a plain record', () => {
    const protobuf = Buffer.from([0x1a, 0x05, 0x08]);
    const broken = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), protobuf, createHash('md5').update(protobuf).digest()]);
    const badChecksum = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), protobuf, Buffer.alloc(16)]);
    const { events, rejected } = decodeRecords([streamRecord('1', broken), streamRecord('2', badChecksum), streamRecord('3', Buffer.from(JSON.stringify(envelopeFactory())))]);
    expect(events.map((sourced) => [sourced.sequenceNumber, sourced.subSequence])).toEqual([['3', undefined]]);
    expect(rejected.map((record) => [record.sequenceNumber, record.subSequence, record.reason])).toEqual([
      ['1', undefined, 'Record 1 cannot be processed: KPL aggregated record is malformed: field 3 claims 5 bytes, 1 are left'],
      ['2', undefined, 'Record 2 cannot be processed: data is not base64-encoded JSON'],
    ]);
  });
});
