import type { HoppingWindow, TumblingWindow } from '../metrics/MetricDefinition';
import { hoppingWindowStarts } from './hoppingWindowStarts';
import { TimeWindow } from './TimeWindow';
import { tumblingWindowStart } from './tumblingWindowStart';

/**
 * The windows of a tumbling or hopping spec that hold a timestamp, as Kafka's
 * `TimeWindows.windowsFor`: one for tumbling, ⌈size / slide⌉ or ⌊size / slide⌋
 * for hopping, newest first. A batch's events mostly fall in the windows of
 * the event before them, so the assigner keeps its last answer and returns
 * that same (readonly) array while the timestamps stay where it holds: the
 * hot path allocates per window, not per event. Not frozen: a frozen array
 * made tumbling assignment measurably slower.
 */
export class WindowAssigner {
  private last: readonly TimeWindow[] = [];
  /** Every timestamp in [fromMs, toMs) has exactly the windows `last`. */
  private fromMs = Number.POSITIVE_INFINITY;
  private toMs = Number.NEGATIVE_INFINITY;

  public constructor(private readonly spec: TumblingWindow | HoppingWindow) {}

  /** The windows holding `timestampMs`, newest first; the array is shared with later answers, never to be changed. */
  public windowsFor(timestampMs: number): readonly TimeWindow[] {
    if (timestampMs >= this.fromMs && timestampMs < this.toMs) return this.last;
    const { sizeMs } = this.spec;
    const slideMs = this.spec.kind === 'hopping' ? this.spec.slideMs : sizeMs;
    const starts = this.spec.kind === 'hopping' ? hoppingWindowStarts(timestampMs, sizeMs, slideMs) : [tumblingWindowStart(timestampMs, sizeMs)];
    this.last = starts.map((startMs) => TimeWindow.of(startMs, startMs + sizeMs));
    // The same windows hold every timestamp from where the next older one ends
    // (or the newest starts) until the next newer one starts or the oldest ends.
    const newestMs = starts[0]!;
    const oldestMs = starts[starts.length - 1]!;
    this.fromMs = Math.max(newestMs, oldestMs - slideMs + sizeMs);
    this.toMs = Math.min(newestMs + slideMs, oldestMs + sizeMs);
    return this.last;
  }
}
