import { describe, expect, it } from 'vitest';
import { EVENT_KEYS } from '../../../adapters/dynamodb/eventKeys';
import { type ArchivedEvent, storedEventsOf, typePagesOf } from '../../../adapters/dynamodb/typePages';
import { envelopeFactory } from '../../support/factories';

const T = Date.UTC(2026, 11, 3, 10, 0, 0, 0);
const expiry = (events: readonly { receivedAt: number }[]) => Math.max(...events.map((event) => event.receivedAt));

function archived(id: string, overrides: { type?: string; time?: number; recordId?: string; padBytes?: number } = {}): ArchivedEvent {
  const event = envelopeFactory({ id, key: `k-${id}`, type: overrides.type ?? 'order.created', time: overrides.time ?? T + 100, receivedAt: T + 5_000, data: { pad: 'x'.repeat(overrides.padBytes ?? 0) } });
  return { event, json: JSON.stringify(event), ...(overrides.recordId === undefined ? {} : { recordId: overrides.recordId }) };
}

describe('typePagesOf: the by-type pages of an archive write', () => {
  it('puts the events of one record, type and second in one page, in time order, and keeps the rest apart', () => {
    // Arrange: record r1 with two types and two seconds, record r2 with the same type and second as r1's first page.
    const events = [
      archived('c', { recordId: 'r1', time: T + 900 }),
      archived('a', { recordId: 'r1', time: T + 100 }),
      archived('b', { recordId: 'r1', time: T + 100, type: 'page.viewed' }),
      archived('d', { recordId: 'r1', time: T + 1_000 }),
      archived('e', { recordId: 'r2', time: T + 500 }),
    ];

    // Act
    const pages = typePagesOf(events, expiry);

    // Assess
    const summary = pages.map((page) => ({ pk: page.item.pk, sk: page.item.sk, ids: storedEventsOf(page.item).map((stored) => stored.sortKey.split('#')[1]), indices: page.indices }));
    expect(summary).toEqual([
      { pk: expect.stringMatching(new RegExp(`^t#order\\.created#${T}#[0-3]$`)), sk: `${String(T + 100).padStart(15, '0')}#r1.0`, ids: ['a', 'c'], indices: [1, 0] },
      { pk: expect.stringMatching(new RegExp(`^t#page\\.viewed#${T}#[0-3]$`)), sk: `${String(T + 100).padStart(15, '0')}#r1.0`, ids: ['b'], indices: [2] },
      { pk: expect.stringMatching(/^t#order\.created#/), sk: `${String(T + 1_000).padStart(15, '0')}#r1.0`, ids: ['d'], indices: [3] },
      { pk: expect.stringMatching(/^t#order\.created#/), sk: `${String(T + 500).padStart(15, '0')}#r2.0`, ids: ['e'], indices: [4] },
    ]);
    expect(pages[0]!.item[EVENT_KEYS.ttlAttribute]).toBe(T + 5_000);
  });

  it('writes the same pages for the same record again (a redelivery), whatever the order of its events', () => {
    const events = Array.from({ length: 30 }, (_, i) => archived(`e${i}`, { recordId: 'r7', time: T + ((i * 101) % 3_000) }));

    const bySortKey = (a: Record<string, unknown>, b: Record<string, unknown>) => ((a.sk as string) < (b.sk as string) ? -1 : 1);
    const first = typePagesOf(events, expiry).map((page) => page.item).sort(bySortKey);
    const again = typePagesOf([...events].reverse(), expiry).map((page) => page.item).sort(bySortKey);

    expect(again).toEqual(first);
    expect(first).toHaveLength(3);
  });

  it(`splits a record's slice into parts of at most ${EVENT_KEYS.pageMaxBytes} bytes of JSON, and gives an event larger than that a page of its own`, () => {
    const events = [...Array.from({ length: 5 }, (_, i) => archived(`m${i}`, { recordId: 'r1', padBytes: 30_000 })), archived('huge', { recordId: 'r1', padBytes: 200_000 })];

    const pages = typePagesOf(events, expiry);

    const bytes = pages.map((page) => (page.item.events as string[]).reduce((sum, json) => sum + Buffer.byteLength(json), 0));
    expect(pages.map((page) => (page.item.sk as string).split('#')[1])).toEqual(['r1.0', 'r1.1', 'r1.2', 'r1.3']);
    expect(pages.flatMap((page) => page.indices).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(bytes.filter((size) => size > EVENT_KEYS.pageMaxBytes)).toHaveLength(1);
    expect(Math.max(...bytes)).toBeLessThan(300_000);
  });

  it('gives an event without a record a page of its own, named after its key and id', () => {
    const pages = typePagesOf([archived('x'), archived('y')], expiry);

    expect(pages).toHaveLength(2);
    expect(pages[0]!.item.sk).not.toBe(pages[1]!.item.sk);
    expect(typePagesOf([archived('x')], expiry)[0]!.item).toEqual(pages[0]!.item);
  });
});
