import type { EventEnvelope } from '../envelope/EventEnvelope';
import type { CompiledMetric } from '../metrics/compileMetric';
import type { AuditedWindow, AuditSource } from '../ports/AuditSource';
import type { WindowAudit } from './WindowAudit';
import { auditSkipReason } from './auditSkipReason';
import { recountWindow } from './recountWindow';
import { sampleWindows } from './sampleWindows';

/** How one audit run chooses its windows. */
export interface AuditOptions {
  /** Windows recounted per run, spread across metrics and groups. */
  readonly windowsPerRun: number;
  /**
   * A window is audited only once it has been final this long: the archive
   * consumer reads the stream on its own mapping and may be behind the
   * aggregator; its events must have landed before they are recounted.
   */
  readonly settleMs: number;
  /**
   * How far back (before the settle bound) finalisations are taken: the
   * interval between runs, so that every window is a candidate in one run.
   */
  readonly lookbackMs: number;
  readonly nowMs: number;
}

/** What one run found. */
export interface AuditReport {
  readonly audits: readonly WindowAudit[];
  /** Metrics the audit cannot recount, with the reason. */
  readonly skipped: readonly { readonly metric: string; readonly reason: string }[];
  readonly auditedWindows: number;
  readonly mismatchedWindows: number;
  readonly surplusEvents: number;
  readonly deficitEvents: number;
  /** Distinct events recounted over the audited windows: the denominator of the duplicate rate. */
  readonly auditedEvents: number;
  /** Read capacity the run consumed, listing and recounting, in RCUs. */
  readonly readUnits: number;
}

/**
 * One correctness-audit run: list each auditable metric's windows that became
 * final in [now − settle − lookback, now − settle), sample `windowsPerRun` of
 * them evenly across metrics and groups, read the raw events of each sampled
 * window's time range (windows of the same metric types and range share one
 * read), and recount each with the metric's own code.
 */
export async function runAudit(metrics: readonly CompiledMetric[], source: AuditSource, options: AuditOptions): Promise<AuditReport> {
  const skipped: { metric: string; reason: string }[] = [];
  const candidates = new Map<string, AuditedWindow[]>();
  const byName = new Map(metrics.map((metric) => [metric.name, metric]));
  const finalToMs = options.nowMs - options.settleMs;
  const finalFromMs = finalToMs - options.lookbackMs;
  let readUnits = 0;
  for (const metric of metrics) {
    const reason = auditSkipReason(metric);
    if (reason !== undefined) {
      skipped.push({ metric: metric.name, reason });
      continue;
    }
    const listed = await source.finalWindows(metric.name, finalFromMs, finalToMs, options.windowsPerRun);
    readUnits += listed.readUnits;
    candidates.set(metric.name, listed.items);
  }
  const sample = sampleWindows(candidates, options.windowsPerRun);
  const reads = new Map<string, Promise<EventEnvelope[]>>();
  const audits: WindowAudit[] = [];
  for (const window of sample) {
    const metric = byName.get(window.metric)!;
    const types = [...metric.types].sort();
    const id = `${types.join('\u0000')}\u0001${window.startMs}\u0001${window.endMs}`;
    let events = reads.get(id);
    if (!events) {
      events = source.rawEvents(types, window.startMs, window.endMs).then((read) => {
        readUnits += read.readUnits;
        return read.items;
      });
      reads.set(id, events);
    }
    audits.push(recountWindow(metric, window, await events));
  }
  const mismatched = audits.filter((audit) => audit.surplus > 0 || audit.deficit > 0);
  return {
    audits,
    skipped,
    auditedWindows: audits.length,
    mismatchedWindows: mismatched.length,
    surplusEvents: sum(audits.map((audit) => audit.surplus)),
    deficitEvents: sum(audits.map((audit) => audit.deficit)),
    auditedEvents: sum(audits.map((audit) => audit.recounted)),
    readUnits,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
