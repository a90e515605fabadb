import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { finalWindowOf } from '../../../functions/alerts/finalWindowOf';

const T = Date.UTC(2026, 10, 22, 12, 0);
const windowItem = (overrides: Record<string, unknown> = {}) => ({
  pk: 'checkout-errors-5m#(all)',
  windowStart: T,
  metric: 'checkout-errors-5m',
  group: '(all)',
  windowEnd: T + 300_000,
  eventCount: 100,
  lateEvents: 0,
  values: { attempts: 100, errorRate: 0.06, latencyMs: { p99: 120 } },
  state: { attempts: new Uint8Array([1]) },
  version: 7,
  src: { applied: { 'shardId-000000000000': '7' }, frozen: {} },
  ...overrides,
});

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', oldImage?: Record<string, unknown>, newImage?: Record<string, unknown>): DynamoDBRecord {
  return {
    eventID: 'e1',
    eventName,
    dynamodb: {
      SequenceNumber: '4200',
      ...(oldImage ? { OldImage: marshall(oldImage) as never } : {}),
      ...(newImage ? { NewImage: marshall(newImage) as never } : {}),
    },
  };
}

describe('Function: finalWindowOf', () => {
  it('gives the window a change finalised, with its values and when, and the group key', () => {
    expect(finalWindowOf(record('MODIFY', windowItem(), windowItem({ finalAt: T + 306_000, version: 8 })))).toEqual({
      window: { metric: 'checkout-errors-5m', group: '(all)', startMs: T, endMs: T + 300_000, eventCount: 100, lateEventCount: 0, values: { attempts: 100, errorRate: 0.06, latencyMs: { p99: 120 } }, finalAtMs: T + 306_000 },
      groupKey: '(all)',
    });
  });

  it('takes a window written final at once (a repair of a window past the watermark)', () => {
    expect(finalWindowOf(record('INSERT', undefined, windowItem({ finalAt: T + 400_000 })))?.window.finalAtMs).toBe(T + 400_000);
  });

  it('ignores every other change: an open window, a change of a final one, a deletion, the watermark and a session group version', () => {
    expect(finalWindowOf(record('MODIFY', windowItem(), windowItem({ eventCount: 101 })))).toBeUndefined();
    expect(finalWindowOf(record('MODIFY', windowItem({ finalAt: T + 306_000 }), windowItem({ finalAt: T + 306_000, lateEvents: 1 })))).toBeUndefined();
    expect(finalWindowOf(record('REMOVE', windowItem({ finalAt: T + 306_000 })))).toBeUndefined();
    expect(finalWindowOf(record('MODIFY', { pk: '~watermark', windowStart: -1 }, { pk: '~watermark', windowStart: -1, finalAt: 1, metric: 'm', windowEnd: 2 }))).toBeUndefined();
  });

  it('keys a group longer than 1,024 bytes by its hash, as the aggregates table does', () => {
    const long = 'g'.repeat(2_000);
    expect(finalWindowOf(record('MODIFY', windowItem({ group: long }), windowItem({ group: long, finalAt: T + 306_000 })))?.groupKey).toMatch(/^~sha256:/);
  });
});
