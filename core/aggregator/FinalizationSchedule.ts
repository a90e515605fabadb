import type { CompiledMetric } from '../metrics/compileMetric';
import type { WindowStore } from '../ports/WindowStore';

/** Least time between two finalisation passes of a metric that no window boundary forces. */
const FINALIZE_INTERVAL_MS = 1_000;

/**
 * When to finalise (mark final) the windows a moved watermark passed, per
 * metric, and doing it. Finalisation costs a Query per index bucket. Session
 * ends are arbitrary, so a session metric finalises whenever its watermark
 * moves. A fixed window's final threshold (end − 1 + lateness) comes once per
 * slide, so those finalise when the watermark crosses one, and otherwise at
 * most once a second per container, which catches windows the eventually
 * consistent index did not show yet.
 */
export class FinalizationSchedule {
  /** When this container last ran finalisation, per metric. */
  private readonly finalizedAtMs = new Map<string, number>();

  public constructor(
    private readonly metrics: readonly CompiledMetric[],
    private readonly store: WindowStore,
  ) {}

  /** Finalises, for each metric in `advanced` that is due, every window its new watermark passed; returns how many. */
  public async finalizePassed(
    advanced: readonly string[],
    previousMs: Readonly<Record<string, number>>,
    watermarkMs: Readonly<Record<string, number>>,
    nowMs: number,
  ): Promise<number> {
    let windowsFinalized = 0;
    for (const metric of advanced) {
      if (!this.due(metric, previousMs[metric], watermarkMs[metric]!, nowMs)) continue;
      windowsFinalized += await this.store.finalizeWindows(metric, watermarkMs[metric]!, nowMs);
      this.finalizedAtMs.set(metric, nowMs);
    }
    return windowsFinalized;
  }

  private due(metricName: string, previousMs: number | undefined, watermarkMs: number, nowMs: number): boolean {
    const metric = this.metrics.find((m) => m.name === metricName)!;
    if (metric.window.kind === 'session' || previousMs === undefined) return true;
    if (nowMs - (this.finalizedAtMs.get(metricName) ?? Number.NEGATIVE_INFINITY) >= FINALIZE_INTERVAL_MS) return true;
    const stepMs = metric.window.kind === 'hopping' ? metric.window.slideMs : metric.window.sizeMs;
    const offsetMs = metric.window.sizeMs - 1 + metric.allowedLatenessMs;
    return Math.floor((watermarkMs - offsetMs) / stepMs) > Math.floor((previousMs - offsetMs) / stepMs);
  }
}
