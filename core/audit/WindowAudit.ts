/** One window compared with its recount. */
export interface WindowAudit {
  readonly metric: string;
  readonly group: string;
  readonly startMs: number;
  readonly endMs: number;
  /** What the window says it holds: counted + late. */
  readonly expected: number;
  /** Distinct raw events of its group, taken by the metric, with event time in [startMs, endMs). */
  readonly recounted: number;
  /** expected − recounted when positive: events counted more often than they exist (double counting). */
  readonly surplus: number;
  /** recounted − expected when positive: accepted events the window never applied (loss). */
  readonly deficit: number;
}
