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
  it('matches a batch recomputation after storage failures (before and after writes), producer re-sends, retries, bisects, duplicate deliveries, DLQ and redrive', async () => {
    // A day of lateness: windows are compared as a whole; redrive into final windows has its own test.
    const metrics = definitions(86_400_000).map(compileMetric);
    const totals = { faults: 0, dlq: 0, duplicates: 0, resent: 0, dropped: 0 };
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
          const shards = new Map<string, SourcedEvent[]>();
          let sequence = 1_000_000_000_000_000_000n;
          for (const event of sent) {
            const shardId = `shardId-${String(Number(event.key.slice(1)) % shardCount).padStart(12, '0')}`;
            sequence += BigInt(1 + Math.floor(random() * 1e6));
            shards.set(shardId, [...(shards.get(shardId) ?? []), { event, sequenceNumber: String(sequence) }]);
          }
          const memory = new InMemoryWindowStore();
          const faulty = withFaults(memory, random, 0.15);
          const ledger = withFaults(new InMemoryDuplicateLedger(), random, 0.1);
          // The COMPLETED update fails 5 % of the time: the INPROGRESS record then blocks that exact range.
          const batches = new InMemoryBatchIdempotency(() => (random() < 0.05 ? new InjectedFault('injected failure of the COMPLETED update') : undefined));
          const guards = { completions: new InMemoryCompletionLog(), batches, duplicates: ledger.store };
          const aggregator = new WindowedAggregator(metrics, faulty.store, faulty.store, new StaticShardDirectory([...shards.keys()], 0), guards, { retryBaseMs: 0 });
          const dlq: SequenceRange[] = [];

          // Act: an ESM per shard, round robin: retry, bisect, give up to the DLQ, sometimes deliver a done batch again.
          const cursors = [...shards].map(([shardId, records]) => ({ shardId, records, position: 0, pending: [] as SourcedEvent[][] }));
          for (let round = 0; cursors.some((c) => c.position < c.records.length || c.pending.length > 0); round++) {
            const cursor = cursors[round % cursors.length]!;
            if (cursor.pending.length === 0) {
              if (cursor.position >= cursor.records.length) continue;
              cursor.pending.push(cursor.records.slice(cursor.position, cursor.position + batchSize));
              cursor.position += batchSize;
            }
            const batch = cursor.pending.shift()!;
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
                if (batch.length > 1 && random() < 0.4) {
                  // Bisect: both halves go back in front; a split does not use up retries.
                  const half = Math.ceil(batch.length / 2);
                  cursor.pending.unshift(batch.slice(0, half), batch.slice(half));
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
            const records = shards.get(range.shardId)!.filter((r) => BigInt(r.sequenceNumber) >= BigInt(range.first) && BigInt(r.sequenceNumber) <= BigInt(range.last));
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
      { numRuns: 120, seed: 20261123 },
    );
    // The faults really happened: ranges went to the DLQ and were redriven.
    expect(totals.faults).toBeGreaterThan(2_000);
    expect(totals.dlq).toBeGreaterThan(200);
    expect(totals.duplicates).toBeGreaterThan(100);
    expect(totals.resent).toBeGreaterThan(400);
    expect(totals.dropped).toBeGreaterThan(300);
  }, 120_000);
});
