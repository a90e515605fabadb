import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { partitionKeyHash } from './partitionKeyHash';
import type { ShardHashRanges } from './ShardHashRanges';
import { AggregatedRecordBuilder } from './AggregatedRecordBuilder';
import type { UserRecord } from './UserRecord';

/** One Kinesis record to put, and which of the packed user records it carries. */
export interface PackedRecord {
  readonly entry: PutRecordsRequestEntry;
  /** Indexes (into the input) of its user records, in order. */
  readonly members: readonly number[];
  /** The shard the map says it goes to; absent when it is routed by its partition key alone. */
  readonly expectedShardId?: string;
}

/**
 * Packs user records into as few Kinesis records as the size cap allows, as
 * the KPL does: records whose keys map to the same shard share aggregates,
 * each carrying an ExplicitHashKey in that shard's range (its first user
 * record's hash), so every key still lands on its own shard; per shard the
 * records keep their input order, aggregate after aggregate. A record that
 * does not fit an empty aggregate goes as a plain record, and so does an
 * aggregate of one (consumers that never deaggregate still read it). Without
 * a shard map, records share aggregates only with their own key.
 */
export function packUserRecords(records: readonly UserRecord[], ranges: ShardHashRanges | undefined, maxRecordBytes: number): PackedRecord[] {
  const packed: PackedRecord[] = [];
  const open = new Map<string, { builder: AggregatedRecordBuilder; members: number[]; explicitHashKey: string; shardId?: string }>();
  const close = (group: string): void => {
    const slot = open.get(group);
    if (!slot) return;
    open.delete(group);
    if (slot.members.length === 1) {
      const only = records[slot.members[0]!]!;
      packed.push({ entry: { Data: only.data, PartitionKey: only.partitionKey }, members: slot.members, ...(slot.shardId ? { expectedShardId: slot.shardId } : {}) });
      return;
    }
    packed.push({
      entry: { Data: slot.builder.build(), PartitionKey: slot.builder.partitionKey!, ...(slot.shardId ? { ExplicitHashKey: slot.explicitHashKey } : {}) },
      members: slot.members,
      ...(slot.shardId ? { expectedShardId: slot.shardId } : {}),
    });
  };

  records.forEach((record, index) => {
    const hash = partitionKeyHash(record.partitionKey);
    const shardId = ranges?.shardOf(hash);
    const group = shardId === undefined ? `key\u0000${record.partitionKey}` : `shard\u0000${shardId}`;
    let slot = open.get(group);
    if (slot && slot.builder.bytesWith(record) > maxRecordBytes) {
      close(group);
      slot = undefined;
    }
    if (!slot) {
      const builder = new AggregatedRecordBuilder();
      if (builder.bytesWith(record) > maxRecordBytes) {
        packed.push({ entry: { Data: record.data, PartitionKey: record.partitionKey }, members: [index], ...(shardId ? { expectedShardId: shardId } : {}) });
        return;
      }
      slot = { builder, members: [], explicitHashKey: hash.toString(10), ...(shardId ? { shardId } : {}) };
      open.set(group, slot);
    }
    slot.builder.add(record);
    slot.members.push(index);
  });
  for (const group of [...open.keys()]) close(group);
  return packed;
}
