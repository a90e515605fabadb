import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DDSketch } from '../../../core/aggregation/sketches/DDSketch';
import { HyperLogLog } from '../../../core/aggregation/sketches/HyperLogLog';
import { WindowAccumulator } from '../../../core/aggregation/WindowAccumulator';
import { SketchDecodeError } from '../../../core/errors';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { DDSketch as OldDDSketch } from '../../support/issue14Aggregation/DDSketch';
import { HyperLogLog as OldHyperLogLog } from '../../support/issue14Aggregation/HyperLogLog';
import { WindowAccumulator as OldWindowAccumulator } from '../../support/issue14Aggregation/WindowAccumulator';

// Issue 15 rewrote the accumulator's states (unboxed numbers), the HyperLogLog's
// sparse registers (an open-addressing table) and the DDSketch's bucket keys for
// speed. Stored states are read and merged by every version, so the new code must
// encode exactly the bytes the old one did, and report the same results, for any
// input: the old code (frozen in test/support/issue14Aggregation) is the oracle.

/** Every kind of aggregation, on fields that take numbers, strings, objects, nothing. */
const METRIC: MetricDefinition = {
  name: 'equivalence',
  filter: { types: ['t'] },
  window: { kind: 'tumbling', sizeMs: 60_000 },
  aggregations: {
    events: { kind: 'count' },
    bigOnes: { kind: 'countIf', where: [{ field: 'data.amount', range: { gte: 100 } }] },
    bigShare: { kind: 'ratio', where: [{ field: 'data.amount', range: { gte: 100 } }] },
    total: { kind: 'sum', field: 'data.amount' },
    smallest: { kind: 'min', field: 'data.amount' },
    largest: { kind: 'max', field: 'data.amount' },
    mean: { kind: 'avg', field: 'data.amount' },
    keys: { kind: 'distinct', field: 'key' },
    values: { kind: 'distinct', field: 'data.value' },
    amounts: { kind: 'quantiles', field: 'data.amount', quantiles: [0, 0.5, 0.99, 1] },
  },
};
const AGGREGATIONS = compileMetric(METRIC).aggregations;

const amount = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000, max: 1_000 }),
  fc.constantFrom(0, -0, 1e-12, -1e-12, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.string({ maxLength: 3 }),
  fc.constant(null),
  fc.constant(undefined),
);
const value = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.double(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 2 }), fc.nat(), { maxKeys: 2 }));
const event = fc.record({ key: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), amount, value }).map(
  ({ key, amount, value }): EventEnvelope => ({
    id: 'e',
    type: 't',
    key,
    time: 0,
    data: { ...(amount === undefined ? {} : { amount }), value },
    receivedAt: 0,
  }),
);

type Accumulator = WindowAccumulator | OldWindowAccumulator;

/** What storage and readers see of an accumulator. */
function observed(accumulator: Accumulator): unknown {
  return { eventCount: accumulator.eventCount, encoded: accumulator.encode(), results: accumulator.results() };
}

/** The events split into `parts` accumulators, each through its stored form, merged into the first: what shards and batches do. */
function aggregate(make: (stored?: Accumulator) => Accumulator, events: readonly EventEnvelope[], parts: number): Accumulator {
  const accumulators = Array.from({ length: parts }, () => make());
  events.forEach((e, i) => {
    accumulators[i % parts]!.add(e);
  });
  const [first, ...rest] = accumulators.map((a) => make(a));
  for (const other of rest) (first as { merge(other: never): void }).merge(other as never);
  return first!;
}

const makeNew = (stored?: Accumulator): WindowAccumulator =>
  stored ? WindowAccumulator.decode(AGGREGATIONS, stored.eventCount, stored.encode()) : new WindowAccumulator(AGGREGATIONS);
const makeOld = (stored?: Accumulator): OldWindowAccumulator =>
  stored ? OldWindowAccumulator.decode(AGGREGATIONS, stored.eventCount, stored.encode()) : new OldWindowAccumulator(AGGREGATIONS);

describe('Class: WindowAccumulator (against the pre-issue-15 code)', () => {
  it('encodes the same bytes and reports the same results for any events, split and merged any way', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (events, parts) => {
        // Act
        const today = aggregate(makeNew, events, parts);
        const before = aggregate(makeOld, events, parts);

        // Assess: identical, and each reads the other's stored form back to the same state.
        expect(observed(today)).toEqual(observed(before));
        expect(observed(makeNew(before))).toEqual(observed(before));
        expect(observed(makeOld(today))).toEqual(observed(today));
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });

  it('keeps a min and a max that never saw a number out of storage, and results null', () => {
    // Prepare: events whose amount is never a finite number.
    const accumulator = new WindowAccumulator(AGGREGATIONS);
    accumulator.add({ id: 'a', type: 't', key: 'k', time: 0, data: { amount: 'x' }, receivedAt: 0 });

    // Act
    const encoded = accumulator.encode();
    const results = accumulator.results();

    // Assess
    expect(Object.keys(encoded)).not.toContain('smallest');
    expect(Object.keys(encoded)).not.toContain('largest');
    expect(results.smallest).toBeNull();
    expect(results.largest).toBeNull();
    expect(results.events).toBe(1);
  });
});

describe('Method: WindowAccumulator.decode', () => {
  it('refuses a stored state of the wrong shape, as it refuses sketch bytes it did not write', () => {
    // The old code took these and went on with nonsense ("[object Object]1"); a sketch of the wrong kind already threw.
    expect(() => WindowAccumulator.decode(AGGREGATIONS, 1, { total: { n: 1, d: 2 } })).toThrow(new SketchDecodeError('total: the sum state is a number, not object'));
    expect(() => WindowAccumulator.decode(AGGREGATIONS, 1, { mean: 3 })).toThrow(new SketchDecodeError('mean: the avg state is a pair, not number'));
    expect(() => WindowAccumulator.decode(AGGREGATIONS, 1, { keys: 3 })).toThrow(SketchDecodeError);
  });
});

describe('Class: HyperLogLog (against the pre-issue-15 code)', () => {
  it('sets the same registers through the sparse-to-dense switch, and merges sparse into dense alike', () => {
    // Prepare: 6,000 distinct values set more than the 4,096 registers the sparse form keeps.
    const today = [new HyperLogLog(), new HyperLogLog()];
    const before = [new OldHyperLogLog(), new OldHyperLogLog()];
    for (let i = 0; i < 6_000; i++) {
      today[0]!.add(`user-${i}`);
      before[0]!.add(`user-${i}`);
    }
    for (let i = 0; i < 900; i++) {
      today[1]!.add(`other-${i}`, 0x2f1e3d5c);
      before[1]!.add(`other-${i}`, 0x2f1e3d5c);
    }

    // Assess: the same bytes, sparse (the small one) and dense (the large one).
    expect(today[1]!.encode()).toEqual(before[1]!.encode());
    expect(today[0]!.encode()).toEqual(before[0]!.encode());
    expect(today[0]!.encode().length).toBe(1 + 16_384);

    // Act: merge both ways, through the stored bytes of the other version.
    const sparseIntoDense = HyperLogLog.decode(before[0]!.encode());
    sparseIntoDense.merge(HyperLogLog.decode(before[1]!.encode()));
    const denseIntoSparse = OldHyperLogLog.decode(today[1]!.encode());
    denseIntoSparse.merge(OldHyperLogLog.decode(today[0]!.encode()));

    // Assess
    expect(sparseIntoDense.encode()).toEqual(denseIntoSparse.encode());
    expect(sparseIntoDense.estimate()).toBe(denseIntoSparse.estimate());
  });

  it('reads any sparse bytes, duplicates and rank 0 included, as the old code did', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 16_383 }), fc.integer({ min: 0, max: 19 })), { maxLength: 300 }), (registers) => {
        // Prepare: sparse bytes as any writer (or a corrupted item) might hold them.
        const bytes = new Uint8Array(1 + registers.length * 3);
        bytes[0] = 1;
        registers.forEach(([index, rank], i) => {
          const packed = (index << 6) | rank;
          bytes.set([packed >>> 16, (packed >>> 8) & 0xff, packed & 0xff], 1 + i * 3);
        });

        // Act
        const today = HyperLogLog.decode(bytes);
        const before = OldHyperLogLog.decode(bytes);

        // Assess
        expect(today.encode()).toEqual(before.encode());
        expect(today.estimate()).toBe(before.estimate());
      }),
      { numRuns: 200, seed: 20261204 },
    );
  });
});

describe('Class: DDSketch (against the pre-issue-15 code)', () => {
  it('writes the same bytes past the 4,096-bucket collapse, in the same bucket order', () => {
    // Prepare: 5,000 values in distinct buckets (γ ≈ 1.0202 < 1.03), both signs, interleaved.
    const today = new DDSketch();
    const before = new OldDDSketch();
    for (let i = 0; i < 5_000; i++) {
      const v = (i % 2 === 0 ? 1 : -1) * 1.03 ** ((i * 7_919) % 5_000) * 1e-40;
      today.add(v);
      before.add(v);
    }

    // Act
    const merged = DDSketch.decode(before.encode());
    merged.merge(today);

    // Assess
    expect(today.encode()).toEqual(before.encode());
    const mergedBefore = OldDDSketch.decode(today.encode());
    mergedBefore.merge(before);
    expect(merged.encode()).toEqual(mergedBefore.encode());
    for (const q of [0, 0.01, 0.5, 0.99, 1]) expect(merged.quantile(q)).toBe(mergedBefore.quantile(q));
  });
});
