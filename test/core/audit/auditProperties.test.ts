import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditedWindow } from '../../../core/ports/AuditSource';
import { auditSkipReason } from '../../../core/audit/auditSkipReason';
import { recountWindow } from '../../../core/audit/recountWindow';
import { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import { compileMetric, type CompiledMetric } from '../../../core/metrics/compileMetric';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import { InMemoryWindowStore } from '../../../core/ports/inMemory/InMemoryWindowStore';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import { definitions, generatedEvent, MAX_DELAY_MS, split, toEvents } from '../../support/windowingReference';

const SHARD = 'shardId-000000000000';

/** The fixed-window metrics of the windowing reference (tumbling, hopping); sessions are out of the audit's scope. */
function auditable(allowedLatenessMs: number): CompiledMetric[] {
  return definitions(allowedLatenessMs)
    .map(compileMetric)
    .filter((metric) => auditSkipReason(metric) === undefined);
}

/** Runs `events` through the real aggregator core, one shard, in the given batches; returns the store. */
async function aggregate(metrics: readonly CompiledMetric[], batches: readonly EventEnvelope[][]): Promise<InMemoryWindowStore> {
  const store = new InMemoryWindowStore();
  const aggregator = new WindowedAggregator(metrics, store, store, new StaticShardDirectory([SHARD], 0), { completions: new InMemoryCompletionLog() });
  let sequence = 0;
  for (const batch of batches) await aggregator.processBatch(SHARD, batch.map((event) => ({ event, sequenceNumber: String(++sequence) })), 0);
  return store;
}

function windowsOf(store: InMemoryWindowStore, finalOnly: boolean): AuditedWindow[] {
  return [...store.windows.values()]
    .filter((window) => !finalOnly || window.finalAtMs !== undefined)
    .map((window) => ({ metric: window.metric, group: window.group, startMs: window.startMs, endMs: window.endMs, eventCount: window.eventCount, lateEventCount: window.lateEventCount, finalAtMs: window.finalAtMs ?? 0 }));
}

describe('Property: the audit recount agrees with the aggregator', () => {
  it('finds no mismatch in any final window, whatever the events, lateness and batches — late events included', async () => {
    let audited = 0;
    let withLate = 0;
    await fc.assert(
      fc.asyncProperty(
        // Up to 3× the watermark delay behind: many events are late for some of their windows.
        fc.array(generatedEvent(3 * MAX_DELAY_MS), { minLength: 1, maxLength: 120 }),
        fc.constantFrom(0, 1_000, 5_000),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (generated, allowedLatenessMs, batchSizes) => {
          // Prepare
          const events = toEvents(generated);
          const metrics = auditable(allowedLatenessMs);
          const store = await aggregate(metrics, split(events, batchSizes));

          // Act
          const audits = windowsOf(store, true).map((window) => recountWindow(metrics.find((m) => m.name === window.metric)!, window, events));

          // Assess
          expect(audits.filter((audit) => audit.surplus > 0 || audit.deficit > 0)).toEqual([]);
          audited += audits.length;
          withLate += windowsOf(store, true).filter((window) => window.lateEventCount > 0).length;
        },
      ),
      { numRuns: 150, seed: 20261203 },
    );
    // It really compared something, late counts among it.
    expect(audited).toBeGreaterThan(1_000);
    expect(withLate).toBeGreaterThan(20);
  });

  it('finds every duplicated application as surplus, exactly: a re-sent event no ledger drops adds one to each of its windows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(generatedEvent(3 * MAX_DELAY_MS), { minLength: 1, maxLength: 80 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (generated, picks, batchSizes) => {
          // Prepare: re-send some events (same key, id and time, new sequence numbers) after the rest,
          // through an aggregator with no duplicate ledger: each is applied twice.
          const events = toEvents(generated);
          const resent = [...new Set(picks.map((pick) => pick % events.length))].map((index) => events[index]!);
          const metrics = auditable(0);
          const store = await aggregate(metrics, [...split(events, batchSizes), resent]);

          // Act: every window, final or not (the recount does not depend on finality).
          const audits = windowsOf(store, false).map((window) => recountWindow(metrics.find((m) => m.name === window.metric)!, window, events));

          // Assess: surplus per window = the re-sent events it holds; never a deficit.
          const reference = audits.map((audit) => {
            const window = { startMs: audit.startMs, endMs: audit.endMs, group: audit.group, metric: audit.metric };
            const metric = metrics.find((m) => m.name === window.metric)!;
            return recountWindow(metric, { ...window, eventCount: 0, lateEventCount: 0, finalAtMs: 0 }, resent).recounted;
          });
          expect(audits.map((audit) => ({ surplus: audit.surplus, deficit: audit.deficit }))).toEqual(reference.map((surplus) => ({ surplus, deficit: 0 })));
          expect(audits.reduce((total, audit) => total + audit.surplus, 0)).toBeGreaterThanOrEqual(resent.length);
        },
      ),
      { numRuns: 100, seed: 20261204 },
    );
  });
});
