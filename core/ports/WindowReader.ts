import type { StoredWindow, WindowKey } from './WindowStore';

/**
 * A window as readers see it: its key, extent, counts, results and whether it
 * is final; not the mergeable state, version and delivery marks only the
 * writers need (so a reader decodes no sketch and no marks).
 */
export type WindowResult = Pick<StoredWindow, 'metric' | 'group' | 'startMs' | 'endMs' | 'eventCount' | 'values' | 'lateEventCount' | 'finalAtMs'>;

/**
 * What the query API reads windows through: `WindowQueries` (through DAX or
 * straight from DynamoDB) in production; the read side's counterpart of
 * `WindowStore`, which the aggregator writes through.
 */
export interface WindowReader {
  /** The windows at these keys (undefined where there is none) and the pipeline watermark per metric, in one request. */
  getWindowsWithWatermark(keys: readonly WindowKey[]): Promise<{ windows: (WindowResult | undefined)[]; watermarkMs: Record<string, number> }>;
  /** One group's windows whose start lies in [fromMs, toMs), oldest first. */
  queryWindows(metric: string, group: string, fromMs: number, toMs: number): Promise<WindowResult[]>;
  /** The pipeline watermark per metric (epoch ms); empty before any. */
  readPipelineWatermark(): Promise<Record<string, number>>;
}
