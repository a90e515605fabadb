import type { AggregateValue } from '../../core/aggregation/AggregateValue';
import type { CountValueUpdated } from '../../core/changes/CountValueUpdated';

/** A declared metric as the business view lists it, with or without windows yet. */
export interface DeclaredMetric {
  readonly name: string;
  /** `tumbling 60 s`, `hopping 300 s every 60 s`, `session gap 1800 s`. */
  readonly window: string;
  readonly aggregations: readonly string[];
}

/** One window of one group, as the last change left it. */
export interface WindowView {
  readonly metric: string;
  readonly group: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly state: 'open' | 'final';
  readonly eventCount: number;
  readonly lateEvents: number;
  readonly values: Readonly<Record<string, AggregateValue>>;
  /** When the change was written (the message's timestamp; DynamoDB Local's stream rounds it to the minute, AWS to the second). */
  readonly updatedAtMs: number;
  /** The change's stream sequence number, which orders changes of one window within the same timestamp. */
  readonly changeId: string;
  /** When the dashboard received the change: what the page shows as "updated". */
  readonly receivedAtMs: number;
  /** A session merged into another: the page drops it. */
  readonly deleted?: true;
}

/** How much the view keeps: a browser page, not a store. */
export interface RecentWindowsLimits {
  /** @default 20 */
  readonly groupsPerMetric?: number;
  /** @default 8 */
  readonly windowsPerGroup?: number;
}

/** What the page gets first, before the live changes. */
export interface RecentWindowsSnapshot {
  readonly metrics: readonly (DeclaredMetric & { readonly windows: readonly WindowView[] })[];
}

/**
 * Every declared metric's most recent windows per group, kept from the
 * `count-value-updated` messages: the newest windows of the most recently
 * changed groups. A redelivered or reordered change (an older `timestamp`
 * for the same window) does not overwrite a newer one.
 */
export class RecentWindows {
  /** metric → group → windowStart → view; Maps keep insertion order, which the trimming relies on. */
  private readonly byMetric = new Map<string, Map<string, Map<number, WindowView>>>();
  private readonly groupsPerMetric: number;
  private readonly windowsPerGroup: number;

  public constructor(
    private readonly declared: readonly DeclaredMetric[],
    limits: RecentWindowsLimits = {},
  ) {
    this.groupsPerMetric = limits.groupsPerMetric ?? 20;
    this.windowsPerGroup = limits.windowsPerGroup ?? 8;
    for (const metric of declared) this.byMetric.set(metric.name, new Map());
  }

  /** Applies one change; returns the view to push to the pages, or undefined when it changed nothing. */
  public apply(change: CountValueUpdated, receivedAtMs = Date.now()): WindowView | undefined {
    let groups = this.byMetric.get(change.metric);
    if (!groups) {
      // A metric the page was not told about (another config synthesized): shown anyway, after the declared ones.
      groups = new Map();
      this.byMetric.set(change.metric, groups);
    }
    const windows = groups.get(change.group) ?? new Map<number, WindowView>();
    const current = windows.get(change.windowStart);
    if (current && isOlder(change, current)) return undefined;
    const value = change.new;
    const view: WindowView = {
      metric: change.metric,
      group: change.group,
      windowStart: change.windowStart,
      windowEnd: change.windowEnd,
      state: change.final ? 'final' : 'open',
      eventCount: value?.eventCount ?? 0,
      lateEvents: value?.lateEvents ?? 0,
      values: value?.values ?? {},
      updatedAtMs: change.timestamp,
      changeId: change.changeId,
      receivedAtMs,
      ...(value === null ? { deleted: true as const } : {}),
    };
    if (value === null) windows.delete(change.windowStart);
    else windows.set(change.windowStart, view);
    // The group moves to the end: the most recently changed groups are kept.
    groups.delete(change.group);
    if (windows.size > 0) groups.set(change.group, windows);
    this.trim(windows);
    while (groups.size > this.groupsPerMetric) groups.delete(groups.keys().next().value!);
    return view;
  }

  public snapshot(): RecentWindowsSnapshot {
    const declaredNames = new Set(this.declared.map((metric) => metric.name));
    const undeclared = [...this.byMetric.keys()].filter((name) => !declaredNames.has(name)).map((name) => ({ name, window: 'not declared here', aggregations: [] }));
    return {
      metrics: [...this.declared, ...undeclared].map((metric) => ({
        ...metric,
        windows: [...(this.byMetric.get(metric.name)?.values() ?? [])].flatMap((windows) => [...windows.values()].sort((a, b) => b.windowStart - a.windowStart)),
      })),
    };
  }

  /** Keeps the newest windows by start (a late change to an old window may bring it back briefly, then it goes). */
  private trim(windows: Map<number, WindowView>): void {
    if (windows.size <= this.windowsPerGroup) return;
    const starts = [...windows.keys()].sort((a, b) => a - b);
    for (const start of starts.slice(0, starts.length - this.windowsPerGroup)) windows.delete(start);
  }
}

/**
 * Whether `change` is older than the window's current view: by timestamp, then
 * (timestamps are coarse) by stream sequence number, which grows within the
 * window's shard. Sequence numbers that are not numbers never count as older.
 */
function isOlder(change: CountValueUpdated, current: WindowView): boolean {
  if (change.timestamp !== current.updatedAtMs) return change.timestamp < current.updatedAtMs;
  if (!/^\d+$/.test(change.changeId) || !/^\d+$/.test(current.changeId)) return false;
  return BigInt(change.changeId) < BigInt(current.changeId);
}
