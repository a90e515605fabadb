import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SequenceRange } from '../../../core/delivery/sequenceNumbers';

import { compileMetric } from '../../../core/metrics/compileMetric';
import type { SourcedEvent } from '../../../core/windowing/placeEvents';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { InjectedFault, seededRandom, withFaults } from '../../support/FaultyWindowStore';
import { BatchInProgressError, InMemoryBatchIdempotency } from '../../../core/ports/inMemory/InMemoryBatchIdempotency';
import { InMemoryDuplicateLedger } from '../../../core/ports/inMemory/InMemoryDuplicateLedger';
import { InMemoryWindowStore } from '../../../core/ports/inMemory/InMemoryWindowStore';
import { definitions, expectWindowsMatch, generatedEvent, MAX_DELAY_MS, recompute, toEvents } from '../../support/windowingReference';

/** Retries of one (sub)batch before the simulated ESM gives up on it and sends its range to the DLQ. */
const MAX_RETRIES = 2;

describe('Property: every event counts exactly once, whatever fails', () => {
  // With `aggregated`, about half the records are KPL aggregates of 2-6 events that share one sequence
  // number (sub-records 0..n-1), as ingest writes them: a batch, its bisected halves and a redrive range
  // never split one, and a producer re-send may sit inside the same aggregate as its original.
  for (const aggregated of [false, true]) {
  it(`matches a batch recomputation after storage failures (before and after writes), producer re-sends, retries, bisects, duplicate deliveries, DLQ and redrive${aggregated ? ', with batches mixing KPL aggregates and plain records' : ''}`, async () => {
    // A day of lateness: windows are compared as a whole; redrive into final windows has its own test.
    const metrics = definitions(86_400_000).map(compileMetric);
    const totals = { faults: 0, dlq: 0, duplicates: 0, resent: 0, dropped: 0, aggregates: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(generatedEvent(MAX_DELAY_MS - 1), { minLength: 1, maxLength: 100, size: 'medium' }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        async (generated, shardCount, batchSize, seed) => {
          // Prepare: shards of sequenced records with producer re-sends (the same event up to 6 records later),
          // a store, ledger and batch record that fail 10-50 % of their writes.
          const random = seededRandom(seed);
          const events = toEvents(generated);
          const sent = [...events];
          for (let i = events.length - 1; i >= 0; i--) {
            if (random() < 0.1) sent.splice(Math.min(sent.length, i + 1 + Math.floor(random() * 6)), 0, events[i]!);
          }
          totals.resent += sent.length - events.length;
          // Per shard, its records in order; a record is one event, or an aggregate's events.
          const shards = new Map<string, SourcedEvent[][]>();
          const open = new Map<string, { sequenceNumber: string; left: number; events: SourcedEvent[] }>();
          let sequence = 1_000_000_000_000_000_000n;
          for (const event of sent) {
            const shardId = `shardId-${String(Number(event.key.slice(1)) % shardCount).padStart(12, '0')}`;
            const records = shards.get(shardId) ?? [];
            shards.set(shardId, records);
            const current = open.get(shardId);
            if (current && current.left > 0) {
              current.events.push({ event, sequenceNumber: current.sequenceNumber, subSequence: current.events.length });
              current.left -= 1;
              continue;
            }
            sequence += BigInt(1 + Math.floor(random() * 1e6));
            const sequenceNumber = String(sequence);
            if (aggregated && random() < 0.5) {
              const aggregate = { sequenceNumber, left: 1 + Math.floor(random() * 5), events: [{ event, sequenceNumber, subSequence: 0 }] };
              open.set(shardId, aggregate);
              records.push(aggregate.events);
            } else {
              open.delete(shardId);
              records.push([{ event, sequenceNumber }]);
            }
          }
          if (aggregated) totals.aggregates += [...shards.values()].flat().filter((record) => record.length > 1).length;
          const memory = new InMemoryWindowStore();
          const faulty = withFaults(memory, random, 0.15);
          const ledger = withFaults(new InMemoryDuplicateLedger(), random, 0.1);
          // The COMPLETED update fails 5 % of the time: the INPROGRESS record then blocks that exact range.
          const batches = new InMemoryBatchIdempotency(() => (random() < 0.05 ? new InjectedFault('injected failure of the COMPLETED update') : undefined));
          const guards = { completions: new InMemoryCompletionLog(), batches, duplicates: ledger.store };
          const aggregator = new WindowedAggregator(metrics, faulty.store, faulty.store, new StaticShardDirectory([...shards.keys()], 0), guards, { retryBaseMs: 0 });
          const dlq: SequenceRange[] = [];

          // Act: an ESM per shard, round robin: retry, bisect, give up to the DLQ, sometimes deliver a done batch again.
          const cursors = [...shards].map(([shardId, records]) => ({ shardId, records, position: 0, pending: [] as SourcedEvent[][][] }));
          for (let round = 0; cursors.some((c) => c.position < c.records.length || c.pending.length > 0); round++) {
            const cursor = cursors[round % cursors.length]!;
            if (cursor.pending.length === 0) {
              if (cursor.position >= cursor.records.length) continue;
              cursor.pending.push(cursor.records.slice(cursor.position, cursor.position + batchSize));
              cursor.position += batchSize;
            }
            const records = cursor.pending.shift()!;
            const batch = records.flat();
            const range = { shardId: cursor.shardId, first: batch[0]!.sequenceNumber, last: batch[batch.length - 1]!.sequenceNumber };
            // One batch in five is doomed: most of its writes fail, so it ends in the DLQ half-applied.
            faulty.setRate(random() < 0.2 ? 0.5 : 0.1);
            let done = false;
            for (let attempt = 0; attempt <= MAX_RETRIES && !done; attempt++) {
              try {
                totals.dropped += (await aggregator.processBatch(cursor.shardId, batch, 0, { kind: 'live', range })).duplicatesDropped;
                done = true;
              } catch (error) {
                if (!(error instanceof InjectedFault) && !(error instanceof BatchInProgressError)) throw error;
                if (records.length > 1 && random() < 0.4) {
                  // Bisect: both halves go back in front; a split does not use up retries. It splits records, never an aggregate.
                  const half = Math.ceil(records.length / 2);
                  cursor.pending.unshift(records.slice(0, half), records.slice(half));
                  done = true;
                }
              }
            }
            if (!done) dlq.push(range);
            else if (random() < 0.1) {
              totals.duplicates += 1;
              await aggregator.processBatch(cursor.shardId, batch, 0, { kind: 'live', range }).catch((error: unknown) => {
                if (!(error instanceof InjectedFault) && !(error instanceof BatchInProgressError)) throw error;
              });
            }
          }
          faulty.setRate(0.15);
          // Redrive every DLQ range, retrying through the same faults, some of them twice.
          for (const range of dlq) {
            const records = shards
              .get(range.shardId)!
              .flat()
              .filter((r) => BigInt(r.sequenceNumber) >= BigInt(range.first) && BigInt(r.sequenceNumber) <= BigInt(range.last));
            const times = random() < 0.3 ? 2 : 1;
            for (let time = 0; time < times; time++) {
              for (let attempt = 0; ; attempt++) {
                try {
                  await aggregator.processBatch(range.shardId, records, 0, { kind: 'redrive', range });
                  break;
                } catch (error) {
                  if (!(error instanceof InjectedFault) || attempt > 50) throw error;
                }
              }
            }
          }
          totals.faults += faulty.faults.before + faulty.faults.after + ledger.faults.before + ledger.faults.after;
          totals.dlq += dlq.length;

          // Assess
          expect([...memory.late.values()]).toEqual([]);
          expectWindowsMatch(memory.windows.values(), metrics, recompute(metrics, events));
        },
      ),
      { numRuns: aggregated ? 80 : 120, seed: 20261123 },
    );
    // The faults really happened: ranges went to the DLQ and were redriven.
    // The aggregated variant has 80 runs and fewer, larger records: its floors are lower.
    expect(totals.faults).toBeGreaterThan(aggregated ? 1_000 : 2_000);
    expect(totals.dlq).toBeGreaterThan(aggregated ? 100 : 200);
    expect(totals.duplicates).toBeGreaterThan(aggregated ? 50 : 100);
    expect(totals.resent).toBeGreaterThan(aggregated ? 250 : 400);
    expect(totals.dropped).toBeGreaterThan(aggregated ? 100 : 300);
    if (aggregated) expect(totals.aggregates).toBeGreaterThan(300);
  }, 120_000);
  }
});
