import { describe, expect, it } from 'vitest';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { compileMetric } from '../../../core/metrics/compileMetric';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import { InMemoryWindowStore } from '../../../core/ports/inMemory/InMemoryWindowStore';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import { envelopeFactory } from '../../support/factories';

const T = Date.UTC(2026, 0, 1, 12, 0);
const definition: MetricDefinition = {
  name: 'orders',
  filter: { types: ['order.created'] },
  window: { kind: 'tumbling', sizeMs: 10_000 },
  watermark: { maxDelayMs: 1_000, idleTimeoutMs: 5_000, allowedLatenessMs: 0 },
  aggregations: { orders: { kind: 'count' } },
};
const shard = (i: number) => `shardId-${String(i).padStart(12, '0')}`;

let counter = 0;
const order = (timeMs: number) => ({ event: envelopeFactory({ id: `e${++counter}`, time: timeMs }), sequenceNumber: String(counter) });

/** One container per shard (each its own cache), all on one store. */
function setUp(shards: number, progressCacheMs = 60_000) {
  const store = new InMemoryWindowStore();
  const ids = Array.from({ length: shards }, (_, i) => shard(i));
  const directory = new StaticShardDirectory(ids, T);
  const containers = ids.map(() => new WindowedAggregator([compileMetric(definition)], store, store, directory, { completions: new InMemoryCompletionLog() }, { progressCacheMs }));
  return { store, ids, containers };
}

describe('Class: ProgressCache, through WindowedAggregator', () => {
  it('reads a constant amount per batch whatever the shard count: its own progress and the watermark, then what holds the floor', async () => {
    for (const shards of [2, 8, 64]) {
      // Prepare: every shard delivered once (each container read the whole partition once).
      const { store, ids, containers } = setUp(shards);
      for (const [i, container] of containers.entries()) await container.processBatch(ids[i]!, [order(T + 1_000)], T + 1_500);
      const before = { full: store.watermarkPartitionReads, few: store.progressReads };

      // Act: one more batch of shard 0 within the cache's life.
      await containers[0]!.processBatch(ids[0]!, [order(T + 2_000)], T + 2_500);

      // Assess: no read of the whole partition; two reads of a few items.
      expect({ shards, full: store.watermarkPartitionReads - before.full, few: store.progressReads - before.few }).toEqual({ shards, full: 0, few: 2 });
    }
  });

  it('advances the watermark when two shards finish together, each having cached the other before it wrote (written-then-read still holds)', async () => {
    // Prepare: both containers cached the other's progress at T + 1 s.
    const { store, ids, containers } = setUp(2);
    await containers[0]!.processBatch(ids[0]!, [order(T + 1_000)], T + 1_500);
    await containers[1]!.processBatch(ids[1]!, [order(T + 1_000)], T + 1_600);
    await containers[0]!.processBatch(ids[0]!, [order(T + 1_100)], T + 1_700);
    const beforeMs = store.watermarkMs.orders!;

    // Act: shard 0 moves to T + 20 s (shard 1 holds the floor), then shard 1 does, its cache still showing shard 0 at T + 1.1 s.
    await containers[0]!.processBatch(ids[0]!, [order(T + 20_000)], T + 2_000);
    const summary = await containers[1]!.processBatch(ids[1]!, [order(T + 20_000)], T + 2_100);

    // Assess: the last writer read what held its floor (shard 0) fresh and moved the watermark all the way.
    expect(beforeMs).toBe(T + 1_000 - 1_000);
    expect(summary.watermarkMs.orders).toBe(T + 20_000 - 1_000);
    expect(store.watermarkMs.orders).toBe(T + 20_000 - 1_000);
  });

  it('never lets a cached shard that looked idle make events late: it counts as active at its cached event time until read again', async () => {
    // Prepare: shard 1 delivered at T + 1 s and, as container 0 last read it, has been idle since.
    const { store, ids, containers } = setUp(2);
    await containers[1]!.processBatch(ids[1]!, [order(T + 1_000)], T + 1_500);
    await containers[0]!.processBatch(ids[0]!, [order(T + 2_000)], T + 2_000);
    // Shard 1 resumes (another container) with events near T + 3 s, after container 0 cached it.
    await containers[1]!.processBatch(ids[1]!, [order(T + 3_000)], T + 9_000);

    // Act: shard 0, far ahead, delivers 10 s later; its cache still shows shard 1 at T + 1 s and idle by then.
    await containers[0]!.processBatch(ids[0]!, [order(T + 40_000)], T + 12_000);

    // Assess: the watermark waits for shard 1 (T + 3 s − 1 s), as a full read would have it.
    expect(store.watermarkMs.orders).toBe(T + 3_000 - 1_000);
  });
});

describe('Function: advanceWatermark, with shards the cache has not seen report', () => {
  it('advances when two shards deliver their first batches together, each container having cached no progress of the other', async () => {
    // Prepare: both containers read (empty) progress before either wrote: the other shard holds the floor at −∞.
    const { store, ids, containers } = setUp(2);
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const readWatermarks = store.readWatermarks.bind(store);
    store.readWatermarks = async () => {
      const snapshot = await readWatermarks();
      reads += 1;
      if (reads === 2) release();
      await bothRead;
      return snapshot;
    };

    // Act
    await Promise.all([containers[0]!.processBatch(ids[0]!, [order(T + 2_000)], T + 2_500), containers[1]!.processBatch(ids[1]!, [order(T + 2_000)], T + 2_500)]);

    // Assess: the second to write read the first's progress fresh and moved the watermark.
    expect(store.watermarkMs.orders).toBe(T + 1_000);
  });
});

describe('Function: advanceWatermark, two shards that read each other in full before either wrote', () => {
  it('advances: the one that writes last reads the other again after its own write, though its first read was a full one', async () => {
    // Prepare: both shards reported at T + 1 s; every read is a full one (no cache), and both batches read before either writes.
    const { store, ids, containers } = setUp(2, 0);
    await containers[0]!.processBatch(ids[0]!, [order(T + 1_000)], T + 1_500);
    await containers[1]!.processBatch(ids[1]!, [order(T + 1_000)], T + 1_500);
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const readWatermarks = store.readWatermarks.bind(store);
    store.readWatermarks = async () => {
      const snapshot = await readWatermarks();
      reads += 1;
      if (reads === 2) release();
      await bothRead;
      return snapshot;
    };

    // Act: both move to T + 3 s at once.
    await Promise.all([containers[0]!.processBatch(ids[0]!, [order(T + 3_000)], T + 3_500), containers[1]!.processBatch(ids[1]!, [order(T + 3_000)], T + 3_500)]);

    // Assess
    expect(store.watermarkMs.orders).toBe(T + 2_000);
  });
});
