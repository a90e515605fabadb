import type { WatermarkInput } from './watermarkFloor';

/**
 * The watermark processing time allows a metric whose every input has been
 * idle for `advanceWhenIdleMs`: now − advanceWhenIdleMs − maxDelayMs. −∞ (no
 * advance) while any input delivered an event of the metric more recently,
 * and when no input ever delivered one (no traffic yet: nothing to finalise,
 * and an advance would make a first backfill late).
 *
 * Why that value: it is the watermark an event with event time
 * now − advanceWhenIdleMs would set — as if each shard, at the moment the
 * idle time began to count, had reported "my clock is here". The idle time
 * is the bound on how long an event may take from its event time to the
 * aggregator during a lull; maxDelayMs keeps its meaning (out-of-orderness).
 * At the first tick that finds the metric idle (now ≥ last activity + idle
 * time) the result is about the last event's time − maxDelayMs plus the
 * transport delay, i.e. just past the event-driven watermark: the clock
 * continues it, it does not jump ahead. It never exceeds now − maxDelayMs,
 * what an on-time event arriving now (event time ≤ arrival) could justify.
 * Flink's idleness alone never advances a watermark when every input is idle;
 * this is its processing-time counterpart (Flink's TimeLagWatermarkGenerator,
 * Kafka Streams' wall-clock punctuation), taken only when the metric is idle.
 */
export function idleWatermark(inputs: Iterable<WatermarkInput>, nowMs: number, maxDelayMs: number, advanceWhenIdleMs: number): number {
  let reported = false;
  for (const input of inputs) {
    if (input.maxEventTimeMs === undefined) continue;
    if (nowMs - input.activeAtMs < advanceWhenIdleMs) return Number.NEGATIVE_INFINITY;
    reported = true;
  }
  return reported ? nowMs - advanceWhenIdleMs - maxDelayMs : Number.NEGATIVE_INFINITY;
}
