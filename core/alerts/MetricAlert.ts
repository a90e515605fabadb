import type { AlertComparison } from '../metrics/MetricDefinition';

/** Whether a transition raises an alert or resolves it. */
export type AlertTransition = 'raised' | 'resolved';

/**
 * `metric-alert`: an alert on a metric's windows changed state, for one group.
 * One message per transition (see docs/reference/events.md#metric-alert).
 */
export interface MetricAlert {
  readonly type: 'metric-alert';
  readonly state: AlertTransition;
  readonly metric: string;
  /** The alert's name in the metric definition. */
  readonly alert: string;
  /** The group; its first 4,096 characters when it is longer (then `groupTruncated` is set). */
  readonly group: string;
  readonly groupTruncated?: true;
  /** The window that made the transition: the last of the breaching run for `raised`, the first that did not breach for `resolved`. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The watched value of that window; null when it had none (no event, or a window that never existed: a gap). */
  readonly value: number | null;
  readonly threshold: number;
  readonly comparison: AlertComparison;
  readonly eventCount: number;
  /** When the window became final (epoch ms; read back before its own finalisation came, the revealing window's): the transition's moment, the same on every redelivery. */
  readonly at: number;
  /**
   * `<metric>#<alert>#<group key>#<n>`, n counting this alert's transitions for the group from 1:
   * unique per transition, so a subscriber can drop a redelivered message by it.
   */
  readonly transitionId: string;
}
