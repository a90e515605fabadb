import { EmptyTimeWindowError } from '../errors';

/**
 * An event-time window [startMs, endMs): half-open, so an event at `endMs`
 * belongs to the next window, and its last instant is `endMs − 1`. An
 * immutable value, as Flink's `TimeWindow`; stored items and the HTTP output
 * keep separate start and end fields, converted where they are read or written.
 *
 *   [0, 10):  contains 0 … 9, not 10;  maxTimestampMs 9
 *   [0, 10) and [10, 20) intersect (they touch: sessions merge), cover [0, 20)
 */
export class TimeWindow {
  private constructor(
    public readonly startMs: number,
    public readonly endMs: number,
  ) {
    Object.freeze(this);
  }

  /** The window [startMs, endMs); throws EmptyTimeWindowError unless `endMs` lies after `startMs`. */
  public static of(startMs: number, endMs: number): TimeWindow {
    if (!(endMs > startMs)) throw new EmptyTimeWindowError(startMs, endMs);
    return new TimeWindow(startMs, endMs);
  }

  /** The window a stored item (or any start/end pair) spans. */
  public static spanOf(item: { readonly startMs: number; readonly endMs: number }): TimeWindow {
    return TimeWindow.of(item.startMs, item.endMs);
  }

  /** The window's last instant, `endMs − 1`: the watermark at which it fires (Flink's `maxTimestamp`). */
  public get maxTimestampMs(): number {
    return this.endMs - 1;
  }

  /** Its length, `endMs − startMs`. */
  public get sizeMs(): number {
    return this.endMs - this.startMs;
  }

  /** True when `timestampMs` lies in [startMs, endMs). */
  public contains(timestampMs: number): boolean {
    return this.startMs <= timestampMs && timestampMs < this.endMs;
  }

  /**
   * True when the windows overlap or touch, Flink's rule for merging sessions:
   * inclusive at both ends, so [0, 10) and [10, 20) intersect, [0, 10) and [11, 20) do not.
   */
  public intersects(other: TimeWindow): boolean {
    return this.startMs <= other.endMs && this.endMs >= other.startMs;
  }

  /** The smallest window holding both. */
  public cover(other: TimeWindow): TimeWindow {
    if (other.startMs >= this.startMs && other.endMs <= this.endMs) return this;
    return new TimeWindow(Math.min(this.startMs, other.startMs), Math.max(this.endMs, other.endMs));
  }

  /** True for the same start and end. */
  public equals(other: TimeWindow): boolean {
    return this.startMs === other.startMs && this.endMs === other.endMs;
  }

  /** A string equal for equal windows, for maps and sets: `"startMs:endMs"`. */
  public get key(): string {
    return `${this.startMs}:${this.endMs}`;
  }

  /** `[startMs, endMs)`, for messages and logs. */
  public toString(): string {
    return `[${this.startMs}, ${this.endMs})`;
  }
}
