import { describe, expect, it } from 'vitest';
import { dropDuplicates } from '../../../core/aggregator/dropDuplicates';
import type { LedgerEntry } from '../../../core/ports/DuplicateLedger';
import { eventFingerprint, ledgerMinute } from '../../../core/delivery/eventFingerprint';
import type { SourcedEvent } from '../../../core/windowing/placeEvents';

const SHARD = 'shardId-000000000000';
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

function record(sequenceNumber: number, id: string, timeMs = T0, key = 'k1'): SourcedEvent {
  return { sequenceNumber: String(sequenceNumber), event: { id, key, type: 'order.created', time: timeMs, data: {}, receivedAt: timeMs } };
}

function entry(first: number, last: number, ids: string[], duplicates: number[] = [], timeMs = T0): LedgerEntry {
  return {
    range: { shardId: SHARD, first: String(first), last: String(last) },
    minute: ledgerMinute(timeMs),
    fingerprints: new Set(ids.map((id) => eventFingerprint({ key: 'k1', id }))),
    duplicates: duplicates.map(String),
  };
}

const ids = (events: readonly SourcedEvent[]) => events.map((e) => `${e.sequenceNumber}:${e.event.id}`);

describe('dropDuplicates', () => {
  it('keeps the first of two records with the same key and id in a batch and lists the second as dropped', () => {
    const result = dropDuplicates({ shardId: SHARD, first: '10', last: '12' }, [record(10, 'a'), record(11, 'b'), record(12, 'a')], []);
    expect(ids(result.kept)).toEqual(['10:a', '11:b']);
    expect(ids(result.duplicates)).toEqual(['12:a']);
    expect(result.entries).toEqual([entry(10, 12, ['a', 'b'], [12])]);
  });

  it('tells an event of the same id under another key apart', () => {
    const result = dropDuplicates({ shardId: SHARD, first: '10', last: '11' }, [record(10, 'a', T0, 'k1'), record(11, 'a', T0, 'k2')], []);
    expect(result.duplicates).toEqual([]);
  });

  it('drops a re-send that an earlier batch took', () => {
    const result = dropDuplicates({ shardId: SHARD, first: '20', last: '21' }, [record(20, 'a'), record(21, 'c')], [entry(10, 12, ['a', 'b'])]);
    expect(ids(result.kept)).toEqual(['21:c']);
    expect(ids(result.duplicates)).toEqual(['20:a']);
  });

  it('keeps a redelivered record: the entry that took it covers its sequence number, and the marks handle it', () => {
    const result = dropDuplicates({ shardId: SHARD, first: '10', last: '11' }, [record(10, 'a'), record(11, 'b')], [entry(10, 12, ['a', 'b'])]);
    expect(ids(result.kept)).toEqual(['10:a', '11:b']);
  });

  it('keeps dropping a record an earlier attempt dropped, even in a bisected half without its original', () => {
    const result = dropDuplicates({ shardId: SHARD, first: '12', last: '12' }, [record(12, 'a')], [entry(10, 12, ['a', 'b'], [12])]);
    expect(ids(result.duplicates)).toEqual(['12:a']);
  });

  it('files fingerprints per event-time minute: the same id in another minute is another event', () => {
    const later = T0 + 60_000;
    const result = dropDuplicates({ shardId: SHARD, first: '20', last: '20' }, [record(20, 'a', later)], [entry(10, 12, ['a'])]);
    expect(result.duplicates).toEqual([]);
    expect(result.entries.map((e) => e.minute)).toEqual([ledgerMinute(later)]);
  });

  it('remembers a dropped user record of a KPL aggregate by its position: its siblings (same sequence number) are kept on redelivery', () => {
    const sub = (subSequence: number, id: string): SourcedEvent => ({ ...record(30, id), subSequence });
    // The aggregate 30 holds a, a re-send of a, and b.
    const first = dropDuplicates({ shardId: SHARD, first: '30', last: '30' }, [sub(0, 'a'), sub(1, 'a'), sub(2, 'b')], []);
    expect(first.entries.map((e) => e.duplicates)).toEqual([['30.1']]);
    const again = dropDuplicates({ shardId: SHARD, first: '30', last: '30' }, [sub(0, 'a'), sub(1, 'a'), sub(2, 'b')], first.entries);
    expect(again.kept.map((e) => e.subSequence)).toEqual([0, 2]);
    expect(again.duplicates.map((e) => e.subSequence)).toEqual([1]);
  });
});
