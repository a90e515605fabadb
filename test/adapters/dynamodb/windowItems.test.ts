import { describe, expect, it } from 'vitest';
import { AGGREGATE_KEYS, pendingPartition } from '../../../adapters/dynamodb/aggregateKeys';
import { itemBytes } from '../../../adapters/dynamodb/itemBytes';
import { WindowItemSizes } from '../../../adapters/dynamodb/WindowItemSizes';
import { compactedWindow, MAX_FOLDED_PARTIALS, toWindowItem, toWindowResult } from '../../../adapters/dynamodb/windowItems';
import type { StoredAggregation } from '../../../core/aggregation/mergePartials';
import { NO_MARKS } from '../../../core/delivery/SourceMarks';
import type { WindowWrite } from '../../../core/ports/WindowStore';

const write: WindowWrite = {
  metric: 'orders-per-region',
  group: 'eu-west',
  startMs: 60_000,
  endMs: 120_000,
  eventCount: 3,
  lateEventCount: 0,
  values: {},
  state: {},
  marks: NO_MARKS,
  expectedVersion: 2,
  finalAtWatermarkMs: 119_999,
};

describe('Function: toWindowItem, the finality indexes', () => {
  it('lists a window that is not final in the pending-final index only', () => {
    const item = toWindowItem(write, 1_000, 99);

    expect({ pending: item[AGGREGATE_KEYS.pendingPartitionKey], due: item[AGGREGATE_KEYS.pendingSortKey], final: item[AGGREGATE_KEYS.finalPartitionKey], finalAt: item.finalAt }).toEqual({
      pending: pendingPartition('orders-per-region', 'eu-west'),
      due: 119_999,
      final: undefined,
      finalAt: undefined,
    });
  });

  it('keeps a repaired final window in the recent-final index, under the same bucket and its own finalAt, so the audit still samples it', () => {
    const item = toWindowItem({ ...write, finalAtMs: 500 }, 1_000, 99);

    expect({ pending: item[AGGREGATE_KEYS.pendingPartitionKey], final: item[AGGREGATE_KEYS.finalPartitionKey], finalAt: item[AGGREGATE_KEYS.finalSortKey] }).toEqual({
      pending: undefined,
      final: pendingPartition('orders-per-region', 'eu-west'),
      finalAt: 500,
    });
  });
});

describe('Function: toWindowResult, partials', () => {
  const aggregations = [
    { name: 'orders', kind: 'count' },
    { name: 'largest', kind: 'max' },
  ];
  const item = {
    pk: 'orders-per-region#eu-west',
    windowStart: 60_000,
    metric: 'orders-per-region',
    group: 'eu-west',
    windowEnd: 120_000,
    aggregations,
    version: 3,
    p0: { shard: 'shardId-000000000000', eventCount: 2, state: { orders: 2, largest: 7 }, version: 2 },
    p7: { shard: 'shardId-000000000007', eventCount: 1, state: { orders: 1, largest: 9 }, version: 1 },
  };

  it('merges every shard partial of a window that is not final, as one window', () => {
    expect(toWindowResult(item)).toMatchObject({ eventCount: 3, values: { orders: 3, largest: 9 }, lateEventCount: 0 });
  });

  it('reads a final window from the content finalisation merged, not from the partials again', () => {
    const final = { ...item, finalAt: 130_000, eventCount: 3, state: { orders: 3, largest: 9 }, values: { orders: 3, largest: 9 }, lateEvents: 1 };

    expect(toWindowResult(final)).toMatchObject({ eventCount: 3, values: { orders: 3, largest: 9 }, lateEventCount: 1, finalAtMs: 130_000 });
  });

  it('adds the merged state of a window written before partials existed to the partials written since', () => {
    const legacy = { ...item, eventCount: 5, state: { orders: 5, largest: 11 }, values: { orders: 5, largest: 11 } };

    expect(toWindowResult(legacy)).toMatchObject({ eventCount: 8, values: { orders: 8, largest: 11 } });
  });
});

describe('Function: compactedWindow', () => {
  const aggregations: StoredAggregation[] = [
    { name: 'orders', kind: 'count' },
    { name: 'largest', kind: 'max' },
  ];
  const marksOf = (shard: string, applied: string) => ({ applied: { [shard]: applied }, frozen: {}, redriven: {} });
  const item = {
    pk: 'orders-per-region#eu-west',
    windowStart: 60_000,
    metric: 'orders-per-region',
    group: 'eu-west',
    windowEnd: 120_000,
    aggregations,
    version: 3,
    p0: { shard: 'shardId-000000000000', eventCount: 2, state: { orders: 2, largest: 7 }, src: marksOf('shardId-000000000000', '10'), version: 2 },
    p7: { shard: 'shardId-000000000007', eventCount: 1, state: { orders: 1, largest: 9 }, src: marksOf('shardId-000000000007', '20'), version: 1 },
  };
  // Shard 7 writes its partial again with 2 more events (largest 12): what it writes is its whole new partial.
  const own = { shardId: 'shardId-000000000007', partial: { eventCount: 3, state: { orders: 3, largest: 12 }, marks: marksOf('shardId-000000000007', '25') }, version: 2 };

  it('folds every partial, the writer new one instead of its stored one, into the top-level content readers see', () => {
    const compacted = compactedWindow(item, aggregations, own);
    const after = { ...item, ...compacted.slots, eventCount: compacted.eventCount, state: compacted.state, values: compacted.values };

    expect([compacted.eventCount, compacted.values]).toEqual([5, { orders: 5, largest: 12 }]);
    expect(toWindowResult(after)).toMatchObject({ eventCount: 5, values: { orders: 5, largest: 12 } });
  });

  it('empties every partial but keeps its marks, and moves its version on so a write based on its old content fails', () => {
    expect(compactedWindow(item, aggregations, own).slots).toEqual({
      p0: { shard: 'shardId-000000000000', eventCount: 0, state: {}, src: marksOf('shardId-000000000000', '10'), version: 3 },
      p7: { shard: 'shardId-000000000007', eventCount: 0, state: {}, src: marksOf('shardId-000000000007', '25'), version: 2 },
    });
  });

  it('adds a window top-level content (written before partials, or compacted before) to the partials', () => {
    const compactedBefore = { ...item, eventCount: 5, state: { orders: 5, largest: 11 }, values: { orders: 5, largest: 11 } };

    expect(compactedWindow(compactedBefore, aggregations, own).values).toEqual({ orders: 10, largest: 12 });
  });

  it('keeps a final window top-level content (it holds every partial already) and only empties the partials', () => {
    const final = { ...item, finalAt: 130_000, eventCount: 3, state: { orders: 3, largest: 9 }, values: { orders: 3, largest: 9 } };
    const lateCount = { ...own, partial: { ...own.partial, eventCount: 1, state: { orders: 1, largest: 9 } } };

    const compacted = compactedWindow(final, aggregations, lateCount);

    expect([compacted.eventCount, compacted.values, compacted.slots.p0?.eventCount, compacted.slots.p7?.eventCount]).toEqual([3, { orders: 3, largest: 9 }, 0, 0]);
  });

  it('leaves an empty partial alone (a write based on it adds to nothing folded) and folds at most 200, the largest first', () => {
    const emptied = { ...item, p1: { shard: 'shardId-000000000001', eventCount: 0, state: {}, src: marksOf('shardId-000000000001', '5'), version: 4 } };
    expect(Object.keys(compactedWindow(emptied, aggregations, own).slots).sort()).toEqual(['p0', 'p7']);

    const crowded: Record<string, unknown> = { ...item };
    for (let shard = 10; shard < 260; shard++) crowded[`p${shard}`] = { shard: `shardId-${String(shard).padStart(12, '0')}`, eventCount: 1, state: { orders: 1, largest: shard }, version: 1 };
    crowded.p300 = { shard: 'shardId-000000000300', eventCount: 1, state: { orders: 1, largest: 3, padding: 'x'.repeat(500) }, version: 1 };
    const { slots } = compactedWindow(crowded, aggregations, own);
    expect([Object.keys(slots).length, MAX_FOLDED_PARTIALS, 'p300' in slots, 'p7' in slots]).toEqual([200, 200, true, true]);
  });

  it('writes a repair content top-level as given', () => {
    const repaired = { eventCount: 6, state: { orders: 6, largest: 12 }, values: { orders: 6, largest: 12 } };

    expect(compactedWindow({ ...item, finalAt: 130_000 }, aggregations, own, repaired).values).toEqual({ orders: 6, largest: 12 });
  });
});

describe('Class: WindowItemSizes', () => {
  const key = { metric: 'm', group: 'g', startMs: 0 };

  it('estimates an item seen with one partial replaced, and follows the partials written since', () => {
    const sizes = new WindowItemSizes();
    const item = { pk: 'm#g', p0: { eventCount: 1 }, p1: { eventCount: 2 } };
    sizes.remember(key, item);

    const bigger = { eventCount: 1, state: { s: new Uint8Array(1_000) } };
    expect(sizes.estimateWith(key, 'p1', bigger)).toBe(itemBytes({ ...item, p1: bigger }));
    sizes.wrote(key, 'p2', bigger);
    expect(sizes.estimateWith(key, 'p0', bigger)).toBe(itemBytes({ ...item, p0: bigger, p2: bigger }));
  });

  it('knows nothing of an item it has not seen, or has forgotten (oldest first past its limit)', () => {
    const sizes = new WindowItemSizes(2);
    for (const startMs of [1, 2, 3]) sizes.remember({ ...key, startMs }, { pk: 'm#g' });

    expect([1, 2, 3, 4].map((startMs) => sizes.estimateWith({ ...key, startMs }, 'p0', 'x'))).toEqual([undefined, itemBytes({ pk: 'm#g', p0: 'x' }), itemBytes({ pk: 'm#g', p0: 'x' }), undefined]);
  });
});
