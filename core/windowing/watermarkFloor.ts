/** One input to a metric's watermark: a shard, with what it has shown so far. */
export interface WatermarkInput {
  /** Largest event time seen; undefined when the shard is known but has delivered nothing yet. */
  readonly maxEventTimeMs: number | undefined;
  /** When the shard last delivered an event (or was first seen, if it has delivered none). */
  readonly activeAtMs: number;
}

/**
 * The watermark the given inputs allow: the minimum over non-idle inputs of
 * (largest event time − max delay). A known input that delivered nothing holds
 * it at −∞ until it goes idle, as in Flink, where every split must report.
 * With no active input the result is +∞ (no constraint): a caller combining it
 * with another bound takes the minimum, and a caller that has nothing else
 * keeps its previous watermark (Flink does not advance when all inputs idle).
 */
export function watermarkFloor(inputs: Iterable<WatermarkInput>, nowMs: number, maxDelayMs: number, idleTimeoutMs: number): number {
  let floor = Number.POSITIVE_INFINITY;
  for (const input of inputs) {
    if (nowMs - input.activeAtMs > idleTimeoutMs) continue;
    if (input.maxEventTimeMs === undefined) return Number.NEGATIVE_INFINITY;
    floor = Math.min(floor, input.maxEventTimeMs - maxDelayMs);
  }
  return floor;
}
