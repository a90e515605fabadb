import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertEvaluator, FIRST_WINDOW_LOOKBACK_STEPS } from '../../../core/alerting/AlertEvaluator';
import type { AlertState } from '../../../core/alerts/AlertState';
import { compileAlerts, type CompiledAlert } from '../../../core/alerts/CompiledAlert';
import { evaluateWindow } from '../../../core/alerts/evaluateWindow';
import type { MetricAlert } from '../../../core/alerts/MetricAlert';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { InMemoryAlertPublisher } from '../../../core/ports/inMemory/InMemoryAlertPublisher';
import { InMemoryAlertStateStore } from '../../../core/ports/inMemory/InMemoryAlertStateStore';
import { InMemoryGroupWindows } from '../../../core/ports/inMemory/InMemoryGroupWindows';
import type { WindowResult } from '../../../core/ports/WindowReader';

const stepMs = 1_000;

const metricOf = (consecutiveWindows: number, minEventCount: number): MetricDefinition => ({
  name: 'errors',
  filter: { types: ['checkout.completed', 'checkout.failed'] },
  window: { kind: 'hopping', sizeMs: 5 * stepMs, slideMs: stepMs },
  aggregations: { errorRate: { kind: 'ratio', where: [{ field: 'type', equals: 'checkout.failed' }] } },
  alerts: { high: { aggregation: 'errorRate', comparison: 'above', threshold: 0.5, consecutiveWindows, minEventCount } },
});

/** A final window at step `n`. */
const windowAt = (n: number, rate: number | null, eventCount: number): WindowResult => ({
  metric: 'errors',
  group: 'g',
  startMs: n * stepMs,
  endMs: n * stepMs + 5 * stepMs,
  eventCount,
  lateEventCount: 0,
  values: { errorRate: rate },
  finalAtMs: n * stepMs + 6 * stepMs,
});

/** Windows in start order: each step either a gap (skipped) or a window with a random rate and count. */
const windowsArbitrary = fc
  .array(
    // One step in six is a gap, one window in eight has no value. Rates in hundredths: fc.double draws uniformly over
    // the representable doubles, almost all of them near 0, and then hardly a window breached the 0.5 threshold.
    fc.record({ skip: fc.integer({ min: 0, max: 5 }).map((n) => n === 0), rate: fc.option(fc.integer({ min: 0, max: 100 }).map((n) => n / 100), { freq: 8 }), eventCount: fc.integer({ min: 0, max: 30 }) }),
    { minLength: 5, maxLength: 60, size: 'max' },
  )
  .map((steps) => steps.flatMap((step, n) => (step.skip ? [] : [windowAt(n, step.rate, step.eventCount)])));

/** The aggregates table holding `windows`. */
function tableOf(windows: readonly WindowResult[]): InMemoryGroupWindows {
  const table = new InMemoryGroupWindows();
  table.windows.push(...windows);
  return table;
}

/** The transitions evaluateWindow alone gives, each window once and in order: the reference. */
function reference(alert: CompiledAlert, windows: readonly WindowResult[]): MetricAlert[] {
  let state: AlertState | undefined;
  return windows.flatMap((window) => {
    const evaluation = evaluateWindow(alert, state, window, 'g');
    state = evaluation.state;
    return [...evaluation.transitions];
  });
}

/** A crash at one of the four points of an evaluation. */
type CrashPoint = 'afterWrite' | 'beforePublish' | 'afterPublish' | 'afterClear';

class CrashingStore extends InMemoryAlertStateStore {
  public crashes: CrashPoint[] = [];
  /** Crashes that happened, by point. */
  public readonly crashed: Record<CrashPoint, number> = { afterWrite: 0, beforePublish: 0, afterPublish: 0, afterClear: 0 };
  public override async write(...args: Parameters<InMemoryAlertStateStore['write']>): Promise<boolean> {
    const written = await super.write(...args);
    if (written && this.crashes[0] === 'afterWrite') {
      this.crashes.shift();
      this.crashed.afterWrite += 1;
      throw new Error('crash after the state write');
    }
    return written;
  }
  public override async clearPending(key: string, expectedVersion: number): Promise<boolean> {
    const cleared = await super.clearPending(key, expectedVersion);
    if (cleared && this.crashes[0] === 'afterClear') {
      this.crashes.shift();
      this.crashed.afterClear += 1;
      throw new Error('crash after clearing');
    }
    return cleared;
  }
}

class CrashingPublisher extends InMemoryAlertPublisher {
  public constructor(private readonly store: CrashingStore) {
    super();
  }
  public override async publish(alert: MetricAlert): Promise<void> {
    const next = this.store.crashes[0];
    if (next === 'beforePublish') {
      this.store.crashes.shift();
      this.store.crashed.beforePublish += 1;
      throw new Error('crash before the publish');
    }
    await super.publish(alert);
    if (next === 'afterPublish') {
      this.store.crashes.shift();
      this.store.crashed.afterPublish += 1;
      throw new Error('crash after the publish');
    }
  }
}

describe('Property: alert transitions are published exactly once, in order, whatever the redeliveries and crashes', () => {
  it('publishes what the state machine decides, alternating raised and resolved, each transition once', async () => {
    const crashesSeen: Record<CrashPoint, number> = { afterWrite: 0, beforePublish: 0, afterPublish: 0, afterClear: 0 };
    await fc.assert(
      fc.asyncProperty(
        windowsArbitrary,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ crash: fc.option(fc.constantFrom<CrashPoint>('afterWrite', 'beforePublish', 'afterPublish', 'afterClear'), { freq: 2 }), redeliverFrom: fc.option(fc.nat(), { freq: 3 }) }), { minLength: 60, maxLength: 60 }),
        async (windows, consecutiveWindows, minEventCount, faults) => {
          // Prepare
          const metric = metricOf(consecutiveWindows, minEventCount);
          const store = new CrashingStore();
          const publisher = new CrashingPublisher(store);
          const evaluator = new AlertEvaluator([metric], store, publisher, tableOf(windows), { stateRetentionMs: 86_400_000 });

          // Act: each window is delivered until it goes through (a crash is a failed invocation, retried),
          // and after some a batch of earlier windows is delivered again (a bisected or retried stream batch).
          // A crash waits for the first evaluation that reaches its point (a publish crash, for a transition).
          const deliver = async (window: WindowResult): Promise<void> => {
            for (let attempt = 0; ; attempt++) {
              try {
                await evaluator.evaluate(window, 'g');
                return;
              } catch (error) {
                expect(attempt).toBe(0);
                expect((error as Error).message).toMatch(/^crash/);
              }
            }
          };
          for (const [index, window] of windows.entries()) {
            const fault = faults[index]!;
            if (fault.crash && store.crashes.length === 0) store.crashes.push(fault.crash);
            await deliver(window);
            if (fault.redeliverFrom !== null) {
              for (const again of windows.slice(fault.redeliverFrom % (index + 1), index + 1)) await deliver(again);
            }
          }
          store.crashes = [];

          // Assess: exactly the reference transitions, each once, alternating, numbered 1..n.
          const expected = reference(compileAlerts(metric)[0]!, windows);
          expect(publisher.sent).toEqual(expected);
          publisher.sent.forEach((transition, index) => {
            expect(transition.state).toBe(index % 2 === 0 ? 'raised' : 'resolved');
            expect(transition.transitionId).toBe(`errors#high#g#${index + 1}`);
          });
          // Nothing is left pending once every window went through.
          expect([...store.items.values()].flatMap((item) => item.pending)).toEqual([]);
          for (const [point, count] of Object.entries(store.crashed)) crashesSeen[point as CrashPoint] += count;
        },
      ),
      // A fixed seed: the count of crashes reached below is then the same on every run.
      { numRuns: 300, seed: 14 },
    );
    // The faults were real: invocations crashed at each of the four points.
    expect(Object.values(crashesSeen).every((count) => count >= 5), JSON.stringify(crashesSeen)).toBe(true);
  });

  it('publishes nothing new when every change is delivered again', async () => {
    await fc.assert(
      fc.asyncProperty(windowsArbitrary, async (windows) => {
        // Prepare
        const store = new InMemoryAlertStateStore();
        const publisher = new InMemoryAlertPublisher();
        const evaluator = new AlertEvaluator([metricOf(2, 5)], store, publisher, tableOf(windows), { stateRetentionMs: 86_400_000 });
        for (const window of windows) await evaluator.evaluate(window, 'g');
        const before = [...publisher.sent];
        const calls = publisher.calls;

        // Act
        const again: MetricAlert[] = [];
        for (const window of windows) again.push(...(await evaluator.evaluate(window, 'g')));

        // Assess: no transition, not even a publish call that the idempotency would have dropped.
        expect(again).toEqual([]);
        expect(publisher.sent).toEqual(before);
        expect(publisher.calls).toBe(calls);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps one state per group and alert: two consumers racing on one group still publish each transition once', async () => {
    // Prepare: two evaluators (two stream shards' consumers) over one store; windows of one group split between them.
    const metric = metricOf(1, 1);
    const store = new InMemoryAlertStateStore();
    const publisher = new InMemoryAlertPublisher();
    const windows = [0.9, 0.1, 0.9, 0.1, 0.9, 0.1].map((rate, n) => windowAt(n, rate, 10));
    const a = new AlertEvaluator([metric], store, publisher, tableOf(windows), { stateRetentionMs: 1 });
    const b = new AlertEvaluator([metric], store, publisher, tableOf(windows), { stateRetentionMs: 1 });

    // Act: each window evaluated by both at once.
    for (const window of windows) await Promise.all([a.evaluate(window, 'g'), b.evaluate(window, 'g')]);

    // Assess
    expect(publisher.sent.map((t) => [t.state, t.windowStart / stepMs])).toEqual([
      ['raised', 0],
      ['resolved', 1],
      ['raised', 2],
      ['resolved', 3],
      ['raised', 4],
      ['resolved', 5],
    ]);
  });

  it('publishes the same transitions when a finalisation pass brings its windows out of order', async () => {
    await fc.assert(
      fc.asyncProperty(windowsArbitrary, fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 60, maxLength: 60 }), fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), async (windows, passSizes, sortKeys) => {
        // Prepare: the windows come in passes of 1–6 windows, each pass in any order (the first one too: the
        // state starts with whichever window comes first), as concurrent finalisations of one watermark move land on the stream.
        const delivered: WindowResult[] = [];
        for (let index = 0, pass = 0; index < windows.length; index += passSizes[pass++]!) {
          const chunk = windows.slice(index, index + passSizes[pass]!);
          delivered.push(...chunk.map((window, i) => ({ window, key: sortKeys[(index + i) % 60]! })).sort((x, y) => x.key - y.key).map(({ window }) => window));
        }
        const metric = metricOf(2, 5);
        const publisher = new InMemoryAlertPublisher();
        const evaluator = new AlertEvaluator([metric], new InMemoryAlertStateStore(), publisher, tableOf(windows), { stateRetentionMs: 86_400_000 });

        // Act
        for (const window of delivered) await evaluator.evaluate(window, 'g');

        // Assess: what the windows in order give, and the `at` of a window read back before its own change came is its end.
        const expected = reference(compileAlerts(metric)[0]!, windows);
        expect(publisher.sent.map(({ at: _at, ...rest }) => rest)).toEqual(expected.map(({ at: _at, ...rest }) => rest));
      }),
      { numRuns: 300 },
    );
  });

  it('reads the table only when a window does not follow the last one evaluated', async () => {
    // Prepare
    const windows = [0, 1, 2, 3, 5, 6].map((n) => windowAt(n, 0.9, 10));
    const table = tableOf(windows);
    const evaluator = new AlertEvaluator([metricOf(1, 1)], new InMemoryAlertStateStore(), new InMemoryAlertPublisher(), table, { stateRetentionMs: 1 });

    // Act: in order, with one real gap (window 4 has no event).
    for (const window of windows) await evaluator.evaluate(window, 'g');

    // Assess: two reads, before the first window (none earlier) and for the gap.
    expect(table.reads).toBe(2);
  });

  it("evaluates a group's earlier windows of the same pass when a later one comes first, and no further back than FIRST_WINDOW_LOOKBACK_STEPS", async () => {
    // Prepare: two old breaching windows beyond the lookback (read, they would raise and the gap after them resolve),
    // then windows 200–204; window 204 comes first.
    const windows = [windowAt(0, 0.9, 10), windowAt(1, 0.9, 10), ...[200, 201, 202, 203, 204].map((n) => windowAt(n, n >= 201 ? 0.9 : 0.1, 10))];
    const publisher = new InMemoryAlertPublisher();
    const evaluator = new AlertEvaluator([metricOf(2, 5)], new InMemoryAlertStateStore(), publisher, tableOf(windows), { stateRetentionMs: 86_400_000 });

    // Act
    for (const n of [204, 201, 200, 202, 203]) await evaluator.evaluate(windowAt(n, n >= 201 ? 0.9 : 0.1, 10), 'g');

    // Assess: raised at window 202 (the second breach in a row), as in order, and nothing of windows 0–1.
    expect(204 - FIRST_WINDOW_LOOKBACK_STEPS).toBeGreaterThan(1);
    expect(publisher.sent.map((t) => [t.state, t.windowStart / stepMs])).toEqual([['raised', 202]]);
  });

  it('dates a transition of a window read back (not yet marked final) at the finalisation of the window that revealed it', async () => {
    // Prepare: window 1 is in the table but its finalisation has not come; window 2's has.
    const unmarked = { ...windowAt(1, 0.9, 10), finalAtMs: undefined };
    const table = tableOf([windowAt(0, 0.1, 10), unmarked, windowAt(2, 0.1, 10)]);
    const publisher = new InMemoryAlertPublisher();
    const evaluator = new AlertEvaluator([metricOf(1, 1)], new InMemoryAlertStateStore(), publisher, table, { stateRetentionMs: 1 });

    // Act
    await evaluator.evaluate(windowAt(0, 0.1, 10), 'g');
    await evaluator.evaluate(windowAt(2, 0.1, 10), 'g');

    // Assess: raised by window 1 and resolved by window 2, both at window 2's finalisation.
    expect(publisher.sent.map((t) => [t.state, t.windowStart / stepMs, t.at])).toEqual([
      ['raised', 1, windowAt(2, 0, 0).finalAtMs],
      ['resolved', 2, windowAt(2, 0, 0).finalAtMs],
    ]);
  });
});
