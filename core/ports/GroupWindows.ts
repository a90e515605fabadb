import type { FinalWindow } from '../alerts/FinalWindow';

/**
 * One group's windows, read back from where the aggregator keeps them (the
 * aggregates table in AWS). The alert evaluator reads the windows between the
 * last one it evaluated and a final one that came later: the aggregator
 * finalises a pass's windows concurrently, so the stream may bring a later
 * window's finalisation before an earlier one's.
 */
export interface GroupWindows {
  /** The group's windows whose start lies in (afterMs, beforeMs), oldest first. */
  windowsBetween(metric: string, group: string, afterMs: number, beforeMs: number): Promise<FinalWindow[]>;
}
