import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../../core/alerts/AlertState';
import { compileAlerts, type CompiledAlert } from '../../../core/alerts/CompiledAlert';
import { evaluateWindow } from '../../../core/alerts/evaluateWindow';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import type { WindowResult } from '../../../core/ports/WindowReader';

const minuteMs = 60_000;

const checkout: MetricDefinition = {
  name: 'checkout-errors',
  filter: { types: ['checkout.completed', 'checkout.failed'] },
  window: { kind: 'hopping', sizeMs: 5 * minuteMs, slideMs: minuteMs },
  aggregations: {
    attempts: { kind: 'count' },
    errorRate: { kind: 'ratio', where: [{ field: 'type', equals: 'checkout.failed' }] },
    latencyMs: { kind: 'quantiles', field: 'data.latencyMs', quantiles: [0.99] },
  },
  alerts: {
    highErrorRate: { aggregation: 'errorRate', comparison: 'above', threshold: 0.05, consecutiveWindows: 2, minEventCount: 20 },
    slow: { aggregation: 'latencyMs.p99', comparison: 'above', threshold: 500 },
    quiet: { aggregation: 'attempts', comparison: 'below', threshold: 10 },
  },
};

const [errorRate, slow, quiet] = compileAlerts(checkout) as [CompiledAlert, CompiledAlert, CompiledAlert];

/** A final window of minute `n`: `eventCount` events, error rate `rate`, p99 latency `p99`. */
function windowFactory(n: number, rate: number | null, eventCount = 100, p99: number | null = 100): WindowResult {
  return {
    metric: 'checkout-errors',
    group: '(all)',
    startMs: n * minuteMs,
    endMs: n * minuteMs + 5 * minuteMs,
    eventCount,
    lateEventCount: 0,
    values: { attempts: eventCount, errorRate: rate, latencyMs: { p99 } },
    finalAtMs: n * minuteMs + 5 * minuteMs + 6_000,
  };
}

/** Feeds windows in order; returns each transition as [state, windowStart minute, value]. */
function run(alert: CompiledAlert, windows: readonly WindowResult[]): [string, number, number | null][] {
  let state: AlertState | undefined;
  const seen: [string, number, number | null][] = [];
  for (const window of windows) {
    const evaluation = evaluateWindow(alert, state, window, '(all)');
    state = evaluation.state;
    seen.push(...evaluation.transitions.map((t): [string, number, number | null] => [t.state, t.windowStart / minuteMs, t.value]));
  }
  return seen;
}

describe('Function: evaluateWindow', () => {
  it('compiles the step of consecutive windows from the window: the slide for hopping, the size for tumbling', () => {
    expect([errorRate.stepMs, errorRate.windowSizeMs, errorRate.consecutiveWindows, errorRate.minEventCount]).toEqual([minuteMs, 5 * minuteMs, 2, 20]);
    expect(compileAlerts({ ...checkout, window: { kind: 'tumbling', sizeMs: 30_000 } })[0]).toMatchObject({ stepMs: 30_000, windowSizeMs: 30_000 });
    expect([quiet.consecutiveWindows, quiet.minEventCount]).toEqual([1, 1]);
    expect(slow).toMatchObject({ aggregation: 'latencyMs', quantile: 'p99' });
  });

  it('raises on the second breaching window in a row, and resolves on the first that does not breach, with the exact event', () => {
    // Act
    let state: AlertState | undefined;
    const events = [0.01, 0.06, 0.07, 0.08, 0.05].flatMap((rate, n) => {
      const evaluation = evaluateWindow(errorRate, state, windowFactory(n, rate), '(all)');
      state = evaluation.state;
      return evaluation.transitions;
    });

    // Assess: 0.05 is not above 0.05 (strict).
    expect(events).toEqual([
      {
        type: 'metric-alert',
        state: 'raised',
        metric: 'checkout-errors',
        alert: 'highErrorRate',
        group: '(all)',
        windowStart: 2 * minuteMs,
        windowEnd: 7 * minuteMs,
        value: 0.07,
        threshold: 0.05,
        comparison: 'above',
        eventCount: 100,
        at: 7 * minuteMs + 6_000,
        transitionId: 'checkout-errors#highErrorRate#(all)#1',
      },
      {
        type: 'metric-alert',
        state: 'resolved',
        metric: 'checkout-errors',
        alert: 'highErrorRate',
        group: '(all)',
        windowStart: 4 * minuteMs,
        windowEnd: 9 * minuteMs,
        value: 0.05,
        threshold: 0.05,
        comparison: 'above',
        eventCount: 100,
        at: 9 * minuteMs + 6_000,
        transitionId: 'checkout-errors#highErrorRate#(all)#2',
      },
    ]);
    expect(state).toEqual({ status: 'ok', lastWindowStartMs: 4 * minuteMs, streak: 0, transitions: 2 });
  });

  it('does not let a window below minEventCount breach: one failure in two requests does not page, and it resolves a raised alert', () => {
    expect(run(errorRate, [windowFactory(0, 0.5, 2), windowFactory(1, 0.5, 19)])).toEqual([]);
    expect(run(errorRate, [windowFactory(0, 0.5, 20), windowFactory(1, 0.5, 20), windowFactory(2, 0.5, 19)])).toEqual([
      ['raised', 1, 0.5],
      ['resolved', 2, 0.5],
    ]);
  });

  it('restarts the streak after a non-breaching window: breaching windows must be consecutive', () => {
    expect(run(errorRate, [windowFactory(0, 0.1), windowFactory(1, 0), windowFactory(2, 0.1), windowFactory(3, 0), windowFactory(4, 0.1), windowFactory(5, 0.1)])).toEqual([['raised', 5, 0.1]]);
  });

  it('counts a gap as windows that do not breach: it breaks a streak, and resolves a raised alert at the first missing window', () => {
    // A streak of one, a gap, one more: no raise.
    expect(run(errorRate, [windowFactory(0, 0.1), windowFactory(2, 0.1)])).toEqual([]);
    // Raised, then a gap of windows 3–5 and a breaching window 6: resolved at 3 (no value, no event), then nothing until a second breach.
    expect(run(errorRate, [windowFactory(1, 0.1), windowFactory(2, 0.1), windowFactory(6, 0.2), windowFactory(7, 0.2)])).toEqual([
      ['raised', 2, 0.1],
      ['resolved', 3, null],
      ['raised', 7, 0.2],
    ]);
  });

  it('raises and resolves in one step when a gap ends in a breaching window and one window raises', () => {
    // Prepare
    const state = evaluateWindow(quiet, undefined, windowFactory(0, 0, 5), '(all)').state;

    // Act: quiet (attempts below 10) was raised by window 0; windows 1–2 are missing; window 3 is quiet again.
    const evaluation = evaluateWindow(quiet, state, windowFactory(3, 0, 4), '(all)');

    // Assess
    expect(evaluation.transitions.map((t) => [t.state, t.windowStart / minuteMs, t.eventCount, t.transitionId])).toEqual([
      ['resolved', 1, 0, 'checkout-errors#quiet#(all)#2'],
      ['raised', 3, 4, 'checkout-errors#quiet#(all)#3'],
    ]);
  });

  it('ignores a window at or before the last one evaluated (a redelivery or a straggler): stale, same state, no transition', () => {
    // Prepare
    const first = evaluateWindow(errorRate, undefined, windowFactory(3, 0.1), '(all)');

    // Act
    const again = evaluateWindow(errorRate, first.state, windowFactory(3, 0.1), '(all)');
    const older = evaluateWindow(errorRate, first.state, windowFactory(2, 0.1), '(all)');

    // Assess
    expect(again).toEqual({ state: first.state, transitions: [], stale: true });
    expect(older).toEqual({ state: first.state, transitions: [], stale: true });
  });

  it('reads a quantile by its label, and never breaches on a missing value', () => {
    expect(run(slow, [windowFactory(0, 0, 100, 501), windowFactory(1, 0, 100, null), windowFactory(2, 0, 100, 499)])).toEqual([
      ['raised', 0, 501],
      ['resolved', 1, null],
    ]);
    expect(run(errorRate, [windowFactory(0, null), windowFactory(1, null)])).toEqual([]);
  });

  it('cuts a group longer than 4,096 characters in the event and says so, keeping the stored key in the id', () => {
    const long = { ...windowFactory(0, 0, 1), group: 'g'.repeat(5_000) };
    const [raised] = evaluateWindow(quiet, undefined, long, '~sha256:abc').transitions;
    expect([raised?.group.length, raised?.groupTruncated, raised?.transitionId]).toEqual([4_096, true, 'checkout-errors#quiet#~sha256:abc#1']);
  });
});
