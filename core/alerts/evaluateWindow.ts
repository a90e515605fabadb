import type { FinalWindow } from './FinalWindow';
import type { AlertState } from './AlertState';
import type { CompiledAlert } from './CompiledAlert';
import type { AlertTransition, MetricAlert } from './MetricAlert';
import { readAlertValue } from './readAlertValue';

/** What one final window does to an alert of its group. */
export interface WindowEvaluation {
  /** The state after the window; the same object when the window was stale. */
  readonly state: AlertState;
  /** The transitions it caused, in order: none, one, or a gap's resolve followed by a new raise. */
  readonly transitions: readonly MetricAlert[];
  /** The window starts at or before the last one evaluated: a redelivery, or a straggler. Nothing changed. */
  readonly stale: boolean;
}

/** Characters of a group a message carries; longer ones are cut (as count-value-updated does). */
export const MAX_ALERT_GROUP_CHARS = 4_096;

/**
 * The alert state machine, per (metric, alert, group), fed with final windows
 * in window-start order (each window is evaluated once: a final window never
 * changes again).
 *
 * A window breaches when it counted at least `minEventCount` events and its
 * value is strictly above (or below) the threshold. `consecutiveWindows`
 * breaching windows in a row — starts one `stepMs` apart — raise the alert;
 * then the first window that does not breach resolves it. A window below
 * `minEventCount` or with no value (null) does not breach. A gap — windows
 * that never existed because the group had no event in them — counts as
 * windows that do not breach: it ends a streak and resolves a raised alert,
 * attributed to the first missing window (value null, eventCount 0).
 *
 * ```
 * window start   0     1     2     3     4   (gap)  7
 * breaches       yes   no    yes   yes   yes        yes
 * streak (n=2)   1     0     1     2     3     0    1
 * transition                       raised      resolved (at window 5)
 * ```
 *
 * `groupKey` names the group in transition ids (the stored key, so ids stay
 * short for long groups).
 */
export function evaluateWindow(alert: CompiledAlert, state: AlertState | undefined, window: FinalWindow, groupKey: string): WindowEvaluation {
  if (state && window.startMs <= state.lastWindowStartMs) return { state, transitions: [], stale: true };
  const transitions: MetricAlert[] = [];
  let status = state?.status ?? 'ok';
  let streak = state?.streak ?? 0;
  let count = state?.transitions ?? 0;
  const at = window.finalAtMs ?? window.endMs;
  const transition = (kind: AlertTransition, startMs: number, value: number | null, eventCount: number): void => {
    count += 1;
    status = kind === 'raised' ? 'raised' : 'ok';
    const longGroup = window.group.length > MAX_ALERT_GROUP_CHARS;
    transitions.push({
      type: 'metric-alert',
      state: kind,
      metric: alert.metric,
      alert: alert.name,
      group: longGroup ? window.group.slice(0, MAX_ALERT_GROUP_CHARS) : window.group,
      ...(longGroup ? { groupTruncated: true as const } : {}),
      windowStart: startMs,
      windowEnd: startMs + alert.windowSizeMs,
      value,
      threshold: alert.threshold,
      comparison: alert.comparison,
      eventCount,
      at,
      transitionId: `${alert.metric}#${alert.name}#${groupKey}#${count}`,
    });
  };

  if (state && window.startMs > state.lastWindowStartMs + alert.stepMs) {
    // A gap: the missing windows had no event, so none breached.
    streak = 0;
    if (status === 'raised') transition('resolved', state.lastWindowStartMs + alert.stepMs, null, 0);
  }
  const value = readAlertValue(alert, window.values);
  const breaches = window.eventCount >= alert.minEventCount && value !== null && (alert.comparison === 'above' ? value > alert.threshold : value < alert.threshold);
  streak = breaches ? streak + 1 : 0;
  if (status === 'ok' && streak >= alert.consecutiveWindows) transition('raised', window.startMs, value, window.eventCount);
  else if (status === 'raised' && !breaches) transition('resolved', window.startMs, value, window.eventCount);
  return { state: { status, lastWindowStartMs: window.startMs, streak, transitions: count }, transitions, stale: false };
}
