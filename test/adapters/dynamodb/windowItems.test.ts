import { describe, expect, it } from 'vitest';
import { AGGREGATE_KEYS, pendingPartition } from '../../../adapters/dynamodb/aggregateKeys';
import { toWindowItem, toWindowResult } from '../../../adapters/dynamodb/windowItems';
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
