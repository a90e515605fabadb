import { describe, expect, it } from 'vitest';
import { AGGREGATE_KEYS, pendingPartition } from '../../../adapters/dynamodb/aggregateKeys';
import { toWindowItem } from '../../../adapters/dynamodb/windowItems';
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
