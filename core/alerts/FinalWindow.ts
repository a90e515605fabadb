import type { AggregateValue } from '../aggregation/AggregateValue';

/** What alerts read of a window that became final (a WindowResult of the query side has this shape). */
export interface FinalWindow {
  readonly metric: string;
  readonly group: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly eventCount: number;
  readonly values: Readonly<Record<string, AggregateValue>>;
  /** When it became final; the window's end when unknown. */
  readonly finalAtMs?: number;
}
