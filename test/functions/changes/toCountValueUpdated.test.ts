import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toCountValueUpdated } from '../../../functions/changes/toCountValueUpdated';
import { compactedWindow } from '../../../adapters/dynamodb/windowItems';
import { storedAggregationsOf } from '../../../core/aggregation/mergePartials';
import { WindowAccumulator } from '../../../core/aggregation/WindowAccumulator';
import { compileMetric } from '../../../core/metrics/compileMetric';

const T = Date.UTC(2026, 10, 22, 12, 0);
const window = (overrides: Record<string, unknown> = {}) => ({
  pk: 'orders-per-region#eu',
  windowStart: T,
  metric: 'orders-per-region',
  group: 'eu',
  windowEnd: T + 60_000,
  eventCount: 2,
  lateEvents: 0,
  values: { orders: 2, revenue: 5, amount: { p50: 2.5 } },
  state: { orders: new Uint8Array([1]) },
  version: 3,
  src: { applied: { 'shardId-000000000000': '7' }, frozen: {} },
  ...overrides,
});

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', oldImage?: Record<string, unknown>, newImage?: Record<string, unknown>): DynamoDBRecord {
  return {
    eventID: 'e1',
    eventName,
    dynamodb: {
      SequenceNumber: '4200',
      ApproximateCreationDateTime: (T + 61_000) / 1000,
      ...(oldImage ? { OldImage: marshall(oldImage) as never } : {}),
      ...(newImage ? { NewImage: marshall(newImage, { allowImpreciseNumbers: true }) as never } : {}),
    },
  };
}

describe('toCountValueUpdated', () => {
  it('turns a new window into an event with no old value', () => {
    expect(toCountValueUpdated(record('INSERT', undefined, window()))).toEqual({
      type: 'count-value-updated',
      metric: 'orders-per-region',
      group: 'eu',
      windowStart: T,
      windowEnd: T + 60_000,
      old: null,
      new: { eventCount: 2, lateEvents: 0, values: { orders: 2, revenue: 5, amount: { p50: 2.5 } } },
      final: false,
      timestamp: T + 61_000,
      changeId: '4200',
    });
  });

  it('carries old and new values of a changed window, and says when it became final', () => {
    const event = toCountValueUpdated(record('MODIFY', window(), window({ eventCount: 3, values: { orders: 3, revenue: 9, amount: { p50: 3 } }, finalAt: T + 70_000 })));
    expect(event).toMatchObject({ old: { eventCount: 2, values: { orders: 2 } }, new: { eventCount: 3, values: { orders: 3 } }, final: true });
  });

  it('publishes finalisation alone (values unchanged, final flips) but not a write that changed only bookkeeping', () => {
    expect(toCountValueUpdated(record('MODIFY', window(), window({ finalAt: T + 70_000, version: 4 })))).toMatchObject({ final: true });
    // Same values with keys in another order, new marks and version: nothing a reader sees changed.
    const reordered = window({ values: { amount: { p50: 2.5 }, revenue: 5, orders: 2 }, version: 4, src: { applied: { 'shardId-000000000000': '9' } } });
    expect(toCountValueUpdated(record('MODIFY', window(), reordered))).toBeUndefined();
  });

  it('reports a session merged into another (deleted) with no new value', () => {
    expect(toCountValueUpdated(record('REMOVE', window(), undefined))).toMatchObject({ old: { eventCount: 2 }, new: null, final: false });
  });

  it('ignores watermarks, shard progress and session-group version items', () => {
    expect(toCountValueUpdated(record('MODIFY', { pk: '~watermark', windowStart: -1, version: 1 }, { pk: '~watermark', windowStart: -1, version: 2 }))).toBeUndefined();
    expect(toCountValueUpdated(record('INSERT', undefined, { pk: 'user-sessions#u1', windowStart: Number.MIN_SAFE_INTEGER, version: 1 }))).toBeUndefined();
  });

  it('reads sums beyond 2^53 as doubles and cuts a group too long for an SNS message, naming its stored key', () => {
    const group = 'r'.repeat(5_000);
    const change = toCountValueUpdated(record('INSERT', undefined, window({ group, values: { orders: 1, revenue: 1e16 + 2 } })));
    expect(change).toMatchObject({ group: 'r'.repeat(4_096), groupTruncated: true, groupKey: expect.stringMatching(/^~sha256:/), new: { values: { orders: 1, revenue: 1e16 + 2 } } });
    expect(JSON.stringify(change).length).toBeLessThan(6_000);
  });
});

describe('Function: toCountValueUpdated, a window written by several shards', () => {
  /** A marshalled image as a Lambda event carries it: JSON, binary as base64 text. */
  const asLambdaEvent = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    if (Array.isArray(value)) return value.map(asLambdaEvent);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asLambdaEvent(v)]));
    return value;
  };
  const partial = (shard: string, customers: string[]) => {
    const accumulator = new WindowAccumulator(metric.aggregations);
    for (const key of customers) accumulator.add({ id: key, type: 'order.created', key, time: T, receivedAt: T, data: {} });
    return { shard, eventCount: accumulator.eventCount, state: accumulator.encode(), version: 1 };
  };
  const metric = compileMetric({ name: 'orders-per-region', filter: { types: ['order.created'] }, window: { kind: 'tumbling', sizeMs: 60_000 }, aggregations: { customers: { kind: 'distinct', field: 'key' } } });

  it('publishes the merge of the partials, their sketches decoded from the base64 the event carries', () => {
    const open = { pk: 'orders-per-region#eu', windowStart: T, metric: 'orders-per-region', group: 'eu', windowEnd: T + 60_000, aggregations: storedAggregationsOf(metric.aggregations), version: 2 };
    const before = { ...open, p0: partial('shardId-000000000000', ['a', 'b']) };
    const after = { ...before, p1: partial('shardId-000000000001', ['b', 'c']) };
    const change: DynamoDBRecord = {
      eventID: 'e2',
      eventName: 'MODIFY',
      dynamodb: { SequenceNumber: '4300', OldImage: asLambdaEvent(marshall(before)) as never, NewImage: asLambdaEvent(marshall(after)) as never },
    };

    expect(toCountValueUpdated(change)).toMatchObject({ old: { eventCount: 2, values: { customers: 2 } }, new: { eventCount: 4, values: { customers: 3 } }, final: false });
  });

  it('publishes a compaction as the change its writer made, the window the same to readers before and after the fold', () => {
    // Prepare: shards 0 and 1 hold partials; shard 1 writes customers b, c, d and its write compacts the item.
    const open = { pk: 'orders-per-region#eu', windowStart: T, metric: 'orders-per-region', group: 'eu', windowEnd: T + 60_000, aggregations: storedAggregationsOf(metric.aggregations), version: 2 };
    const before = { ...open, p0: partial('shardId-000000000000', ['a', 'b']), p1: partial('shardId-000000000001', ['b']) };
    const written = partial('shardId-000000000001', ['b', 'c', 'd']);
    const marks = { applied: { 'shardId-000000000001': '9' }, frozen: {}, redriven: {} };
    const compacted = compactedWindow(before, open.aggregations, { shardId: 'shardId-000000000001', partial: { eventCount: written.eventCount, state: written.state, marks }, version: 2 });
    const after = { ...before, ...compacted.slots, eventCount: compacted.eventCount, state: compacted.state, values: compacted.values, version: 3 };
    const change: DynamoDBRecord = {
      eventID: 'e3',
      eventName: 'MODIFY',
      dynamodb: { SequenceNumber: '4400', OldImage: asLambdaEvent(marshall(before)) as never, NewImage: asLambdaEvent(marshall(after)) as never },
    };

    // Act + Assess: the old image merged (a, b, and b again) and the new one top-level (a, b, c, d), nothing counted twice.
    expect(toCountValueUpdated(change)).toMatchObject({ old: { eventCount: 3, values: { customers: 2 } }, new: { eventCount: 5, values: { customers: 4 } }, final: false });
  });
});
