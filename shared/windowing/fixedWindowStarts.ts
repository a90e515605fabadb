import type { TumblingWindow, HoppingWindow } from '../metrics/MetricDefinition';
import { hoppingWindowStarts } from './hoppingWindowStarts';
import { tumblingWindowStart } from './tumblingWindowStart';

/** Starts of the windows of a fixed-size (tumbling or hopping) window spec holding `timestampMs`. */
export function fixedWindowStarts(window: TumblingWindow | HoppingWindow, timestampMs: number): number[] {
  return window.kind === 'tumbling' ? [tumblingWindowStart(timestampMs, window.sizeMs)] : hoppingWindowStarts(timestampMs, window.sizeMs, window.slideMs);
}
