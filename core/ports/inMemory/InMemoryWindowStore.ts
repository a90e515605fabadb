import type { LateEvent, LateEventSink } from '../LateEventSink';
import type { LateCount, PartialWrite, SessionGroupGuard, SessionSet, StoredWindow, WindowDelete, WindowKey, WindowStore, WindowWrite } from '../WindowStore';
import { mergePartials, type StoredAggregation } from '../../aggregation/mergePartials';
import { NO_MARKS, type SourceMarks } from '../../delivery/SourceMarks';
import type { ShardProgress, WatermarkSnapshot } from '../ShardProgress';

const keyOf = (key: WindowKey): string => `${key.metric}\u0000${key.group}\u0000${key.startMs}`;

/** A window as the in-memory store keeps it: merged content kept current on every partial write, as a DynamoDB reader merges it. */
type MemoryWindow = StoredWindow & { finalAtWatermarkMs: number; aggregations?: readonly StoredAggregation[] };

/**
 * The WindowStore contract in memory, with the same conditional-write rules as
 * DynamoDB (version checks — a fixed window's per shard partial —, final
 * windows refuse writes). `beforeWrite` lets a test interleave a competing writer.
 */
export class InMemoryWindowStore implements WindowStore, LateEventSink {
  public readonly windows = new Map<string, MemoryWindow>();
  public readonly shards = new Map<string, ShardProgress>();
  public watermarkMs: Record<string, number> = {};
  public watermarkVersion = 0;
  public readonly late = new Map<string, LateEvent>();
  public readonly groupVersions = new Map<string, number>();
  public readonly groupMarks = new Map<string, SourceMarks>();
  public finalizations = 0;
  /** Full reads of every shard's progress (`readWatermarks`) and reads of a few shards' (`readProgress`). */
  public watermarkPartitionReads = 0;
  public progressReads = 0;
  public beforeWrite: (() => void) | undefined;

  public async readWatermarks(): Promise<WatermarkSnapshot> {
    this.watermarkPartitionReads += 1;
    return { shards: new Map(this.shards), watermarkMs: { ...this.watermarkMs }, version: this.watermarkVersion };
  }

  public async readProgress(shardIds: readonly string[]): Promise<WatermarkSnapshot> {
    this.progressReads += 1;
    const shards = new Map<string, ShardProgress>();
    for (const shardId of shardIds) {
      const progress = this.shards.get(shardId);
      if (progress) shards.set(shardId, progress);
    }
    return { shards, watermarkMs: { ...this.watermarkMs }, version: this.watermarkVersion };
  }

  public async writeShardProgress(progress: ShardProgress): Promise<void> {
    this.shards.set(progress.shardId, progress);
  }

  public async advanceWatermarks(watermarkMs: Readonly<Record<string, number>>, expectedVersion: number): Promise<boolean> {
    if (this.watermarkVersion !== expectedVersion) return false;
    this.watermarkMs = { ...watermarkMs };
    this.watermarkVersion += 1;
    return true;
  }

  public async getWindows(keys: readonly WindowKey[]): Promise<(StoredWindow | undefined)[]> {
    return keys.map((key) => this.windows.get(keyOf(key)));
  }

  public async findSessions(metric: string, group: string, fromMs: number, toMs: number): Promise<SessionSet> {
    const sessions = [...this.windows.values()]
      .filter((w) => w.metric === metric && w.group === group && w.startMs <= toMs && (w.finalAtMs === undefined || w.endMs >= fromMs))
      .sort((a, b) => b.startMs - a.startMs);
    const groupKey = `${metric}\u0000${group}`;
    return { sessions, groupVersion: this.groupVersions.get(groupKey) ?? 0, groupMarks: this.groupMarks.get(groupKey) ?? NO_MARKS };
  }

  public async writeWindows(writes: readonly WindowWrite[], deletes: readonly WindowDelete[], nowMs: number, guard?: SessionGroupGuard): Promise<boolean> {
    this.beforeWrite?.();
    if (guard) {
      const groupKey = `${guard.metric}\u0000${guard.group}`;
      if ((this.groupVersions.get(groupKey) ?? 0) !== guard.expectedVersion) return false;
    }
    for (const item of [...writes, ...deletes]) {
      const stored = this.windows.get(keyOf(item));
      const repairsFinal = 'finalAtMs' in item && item.finalAtMs !== undefined;
      if ((stored?.version ?? 0) !== item.expectedVersion || (stored?.finalAtMs !== undefined && !repairsFinal)) return false;
    }
    if (guard) {
      this.groupVersions.set(`${guard.metric}\u0000${guard.group}`, guard.expectedVersion + 1);
      this.groupMarks.set(`${guard.metric}\u0000${guard.group}`, guard.marks);
    }
    for (const item of deletes) this.windows.delete(keyOf(item));
    for (const write of writes) {
      const { expectedVersion, ...rest } = write;
      this.windows.set(keyOf(write), { ...rest, version: expectedVersion + 1, updatedAtMs: nowMs, partials: {} });
    }
    return true;
  }

  public async writePartial(write: PartialWrite, nowMs: number): Promise<boolean> {
    this.beforeWrite?.();
    const stored = this.windows.get(keyOf(write));
    if ((stored?.partials[write.shardId]?.version ?? 0) !== write.expectedVersion) return false;
    if (write.repairsFinal ? stored?.version !== write.repairsFinal.expectedItemVersion : stored?.finalAtMs !== undefined) return false;
    const partials = { ...stored?.partials, [write.shardId]: { ...write.partial, version: write.expectedVersion + 1 } };
    const merged = write.repairsFinal ?? mergePartials(write.aggregations, Object.values(partials));
    this.windows.set(keyOf(write), {
      metric: write.metric,
      group: write.group,
      startMs: write.startMs,
      endMs: write.endMs,
      eventCount: merged.eventCount,
      state: merged.state,
      values: merged.values,
      lateEventCount: stored?.lateEventCount ?? 0,
      ...(stored?.finalAtMs !== undefined ? { finalAtMs: stored.finalAtMs } : {}),
      version: (stored?.version ?? 0) + 1,
      updatedAtMs: nowMs,
      marks: stored?.marks ?? NO_MARKS,
      partials,
      finalAtWatermarkMs: write.finalAtWatermarkMs,
      aggregations: write.aggregations,
    });
    return true;
  }

  public async addLateCount(count: LateCount, nowMs: number): Promise<boolean> {
    const stored = this.windows.get(keyOf(count));
    const { partialOf } = count;
    const version = partialOf ? stored?.partials[partialOf.shardId]?.version : stored?.version;
    if ((version ?? 0) !== count.expectedVersion) return false;
    const partials = partialOf
      ? { ...stored?.partials, [partialOf.shardId]: { eventCount: partialOf.eventCount, state: partialOf.state, marks: count.marks, version: count.expectedVersion + 1 } }
      : (stored?.partials ?? {});
    this.windows.set(keyOf(count), {
      metric: count.metric,
      group: count.group,
      startMs: count.startMs,
      endMs: stored?.endMs ?? count.endMs,
      eventCount: stored?.eventCount ?? 0,
      state: stored?.state ?? {},
      values: stored?.values ?? {},
      lateEventCount: (stored?.lateEventCount ?? 0) + count.count,
      finalAtMs: stored?.finalAtMs ?? nowMs,
      version: (stored?.version ?? 0) + 1,
      updatedAtMs: nowMs,
      finalAtWatermarkMs: stored?.finalAtWatermarkMs ?? count.endMs - 1,
      marks: partialOf ? (stored?.marks ?? NO_MARKS) : count.marks,
      partials,
      ...(stored?.aggregations ? { aggregations: stored.aggregations } : {}),
    });
    if (stored?.finalAtMs === undefined) this.finalizations += 1;
    return true;
  }

  public async finalizeWindows(metric: string, watermarkMs: number, nowMs: number): Promise<number> {
    let marked = 0;
    for (const [key, window] of this.windows) {
      if (window.metric === metric && window.finalAtMs === undefined && window.finalAtWatermarkMs <= watermarkMs) {
        this.windows.set(key, { ...window, finalAtMs: nowMs, version: window.version + 1 });
        marked += 1;
      }
    }
    this.finalizations += marked;
    return marked;
  }

  public async write(events: readonly LateEvent[]): Promise<void> {
    for (const event of events) this.late.set(`${event.metric}\u0000${event.event.id}`, event);
  }
}
