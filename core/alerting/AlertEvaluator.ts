import type { MetricDefinition } from '../metrics/MetricDefinition';
import type { AlertPublisher } from '../ports/AlertPublisher';
import type { AlertStateStore } from '../ports/AlertStateStore';
import type { GroupWindows } from '../ports/GroupWindows';
import type { FinalWindow } from '../alerts/FinalWindow';
import { LOST_RACE, retryOnConflict } from '../retry/retryOnConflict';
import { compileAlerts, type CompiledAlert } from '../alerts/CompiledAlert';
import { evaluateWindow } from '../alerts/evaluateWindow';
import type { MetricAlert } from '../alerts/MetricAlert';

/**
 * Steps before a group's first evaluated window that the evaluator reads back
 * (it has no state yet): a finalisation pass brings its windows in any order,
 * and a backfill's pass can hold many (an hour of a 1-minute slide is 60).
 */
export const FIRST_WINDOW_LOOKBACK_STEPS = 100;

/** How the evaluator keeps states. */
export interface AlertEvaluatorOptions {
  /** How long after a window's end its alert state may be forgotten when no later window comes (the aggregates' retention). */
  readonly stateRetentionMs: number;
}

/**
 * Evaluates the alerts of final windows, exactly once per transition:
 *
 * 1. read the (metric, alert, group) state; if it holds pending transitions
 *    (a crash came between writing them and publishing them), publish those
 *    first and clear them;
 * 2. evaluate the window (a window at or before the last one evaluated — a
 *    redelivery, or a window read in an earlier step 2 — changes nothing);
 *    when it does not follow the last one evaluated (or is the group's first,
 *    FIRST_WINDOW_LOOKBACK_STEPS back), first read and evaluate the group's
 *    windows in between: the aggregator finalises a pass's
 *    windows concurrently, so a later window's finalisation can come first
 *    (the windows in between are past the watermark too, their values
 *    settled); the ones that do not exist are the gap;
 * 3. write the new state with its transitions as pending, conditional on the
 *    version read (a lost race re-reads and re-evaluates);
 * 4. publish the transitions (idempotent by transition id) and clear them.
 *
 * A transition is decided once (the conditional write in 3) and published
 * until it is known published (pending survives a crash), and the publisher
 * drops a repeat by its id: the same mechanism as the change publisher's.
 */
export class AlertEvaluator {
  private readonly alerts: ReadonlyMap<string, readonly CompiledAlert[]>;

  public constructor(
    metrics: readonly MetricDefinition[],
    private readonly store: AlertStateStore,
    private readonly publisher: AlertPublisher,
    private readonly windows: GroupWindows,
    private readonly options: AlertEvaluatorOptions,
  ) {
    this.alerts = new Map(metrics.map((metric) => [metric.name, compileAlerts(metric)]));
  }

  /** Whether `metric` has any alert (a window of any other metric needs no state read). */
  public watches(metric: string): boolean {
    return (this.alerts.get(metric)?.length ?? 0) > 0;
  }

  /** Applies one final window to each alert of its metric; returns the transitions it caused (published). */
  public async evaluate(window: FinalWindow, groupKey: string): Promise<MetricAlert[]> {
    const caused: MetricAlert[] = [];
    for (const alert of this.alerts.get(window.metric) ?? []) caused.push(...(await this.evaluateAlert(alert, window, groupKey)));
    return caused;
  }

  private evaluateAlert(alert: CompiledAlert, window: FinalWindow, groupKey: string): Promise<readonly MetricAlert[]> {
    const key = `${alert.metric}#${alert.name}#${groupKey}`;
    return retryOnConflict(`alert state ${key}`, async () => {
      let stored = await this.store.read(key);
      if (stored && stored.pending.length > 0) {
        await this.publishAll(stored.pending);
        if (!(await this.store.clearPending(key, stored.version))) return LOST_RACE;
        stored = { ...stored, pending: [], version: stored.version + 1 };
      }
      let state = stored?.state;
      if (state && window.startMs <= state.lastWindowStartMs) return [];
      const transitions: MetricAlert[] = [];
      // The group's first window evaluated need not be its earliest final one: earlier windows of the same pass are
      // final too, and coming later they would be stale. Bounded, so an alert added to a metric with history does not replay it all.
      const afterMs = state ? state.lastWindowStartMs : window.startMs - (FIRST_WINDOW_LOOKBACK_STEPS + 1) * alert.stepMs;
      const windows = window.startMs > afterMs + alert.stepMs ? await this.windows.windowsBetween(window.metric, window.group, afterMs, window.startMs) : [];
      // A window read back before its own finalisation arrived is final as of the window that revealed it.
      const revealed = windows.map((earlier) => (earlier.finalAtMs === undefined && window.finalAtMs !== undefined ? { ...earlier, finalAtMs: window.finalAtMs } : earlier));
      for (const next of [...revealed, window]) {
        const evaluation = evaluateWindow(alert, state, next, groupKey);
        state = evaluation.state;
        transitions.push(...evaluation.transitions);
      }
      const version = stored?.version ?? 0;
      if (!(await this.store.write(key, state!, transitions, version, window.endMs + this.options.stateRetentionMs))) return LOST_RACE;
      if (transitions.length > 0) {
        await this.publishAll(transitions);
        // Lost only to a writer that read them pending and published them (idempotently) itself.
        await this.store.clearPending(key, version + 1);
      }
      return transitions;
    });
  }

  private async publishAll(transitions: readonly MetricAlert[]): Promise<void> {
    // In order: a resolve is never seen before the raise it ends.
    for (const transition of transitions) await this.publisher.publish(transition);
  }
}
