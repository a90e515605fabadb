import type { AggregateValue } from '../aggregation/AggregateValue';
import type { CompiledAlert } from './CompiledAlert';

/** The value `alert` watches among a window's results: a number, or null when the window has none. */
export function readAlertValue(alert: Pick<CompiledAlert, 'aggregation' | 'quantile'>, values: Readonly<Record<string, AggregateValue>>): number | null {
  const value = values[alert.aggregation];
  const picked = alert.quantile === undefined ? value : value !== null && typeof value === 'object' ? value[alert.quantile] : undefined;
  return typeof picked === 'number' && Number.isFinite(picked) ? picked : null;
}
