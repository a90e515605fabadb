import type { AggregateValue } from '../aggregation/AggregateValue';
import type { EncodedState } from '../aggregation/EncodedState';
import type { StoredAggregation } from '../aggregation/mergePartials';
import type { SourceMarks } from '../delivery/SourceMarks';
import type { ShardProgress, WatermarkSnapshot } from './ShardProgress';

/** Identifies one window of one group of one metric. */
export interface WindowKey {
  readonly metric: string;
  readonly group: string;
  readonly startMs: number;
}

/**
 * One shard's part of a fixed window: what that shard's consumers wrote into
 * it, and the only part they write, so consumers of different shards never
 * race on a window ([0013](../../docs/decisions/0013-per-shard-partials-in-the-window-item.md)).
 */
export interface WindowPartial {
  readonly eventCount: number;
  readonly state: Readonly<Record<string, EncodedState>>;
  /** Which of the shard's events the window holds or counted late (effectively-once). */
  readonly marks: SourceMarks;
  /** Optimistic-concurrency version of the partial: 1 on creation, +1 per write of its shard. */
  readonly version: number;
}

/** A window as stored. */
export interface StoredWindow extends WindowKey {
  readonly endMs: number;
  /** Merged over every partial (or, once final, as finalisation merged it). */
  readonly eventCount: number;
  /** Mergeable state per aggregation, merged like `eventCount`. */
  readonly state: Readonly<Record<string, EncodedState>>;
  /** Results per aggregation of the merged state. */
  readonly values: Readonly<Record<string, AggregateValue>>;
  /** Events that arrived too late for this window (they are in the late-event output). */
  readonly lateEventCount: number;
  /** Set once, when the window became final; it never changes after. */
  readonly finalAtMs?: number;
  /** Optimistic-concurrency version of the whole item: 1 on creation, +1 per write of any part. */
  readonly version: number;
  readonly updatedAtMs: number;
  /** Which shards' events the item itself holds: a session's marks (a fixed window's live in its partials). */
  readonly marks: SourceMarks;
  /** A fixed window's partials by shard id (none for sessions). */
  readonly partials: Readonly<Record<string, WindowPartial>>;
}

/**
 * One shard's write of its partial of a fixed window: written only if the
 * partial is still at `expectedVersion` (0: the shard has none yet) and the
 * window is not final — unless `repairsFinal` is given: a redrive or replay
 * repairing a final window also rewrites the merged content final readers
 * read, if the item is still at the version it read.
 */
export interface PartialWrite extends WindowKey {
  readonly shardId: string;
  readonly endMs: number;
  /** The watermark at which the window becomes final (end − 1 + allowed lateness); indexes it for finalisation. */
  readonly finalAtWatermarkMs: number;
  /** How readers merge the partials (the metric's aggregations). */
  readonly aggregations: readonly StoredAggregation[];
  readonly partial: Omit<WindowPartial, 'version'>;
  readonly expectedVersion: number;
  readonly repairsFinal?: {
    readonly eventCount: number;
    readonly state: Readonly<Record<string, EncodedState>>;
    readonly values: Readonly<Record<string, AggregateValue>>;
    /** The item's version read. */
    readonly expectedItemVersion: number;
  };
}

/**
 * A window's new content, written only if the stored version is still
 * `expectedVersion` (0: must not exist) and the window is not final — unless
 * `finalAtMs` is given: a redrive or replay repairing a final window keeps it final.
 */
export interface WindowWrite extends Omit<StoredWindow, 'version' | 'updatedAtMs' | 'partials'> {
  readonly expectedVersion: number;
  /** The watermark at which the window becomes final (end − 1 + allowed lateness); indexes it for finalisation. */
  readonly finalAtWatermarkMs: number;
}

/** A stored window to remove (a session merged into another), if still at `expectedVersion`. */
export interface WindowDelete extends WindowKey {
  readonly expectedVersion: number;
}

/**
 * The sessions of one group, read together with the group's version. Session
 * writes check that version, so two consumers that each create a session for
 * the same group (different items, so no item condition would clash) conflict
 * and the later one re-reads and merges.
 */
export interface SessionSet {
  readonly sessions: StoredWindow[];
  readonly groupVersion: number;
  /** Which shards' events the group's sessions hold. */
  readonly groupMarks: SourceMarks;
}

/** The group guard of a session write: the metric and group, and the version read. */
export interface SessionGroupGuard {
  readonly metric: string;
  readonly group: string;
  readonly expectedVersion: number;
  /** The group's marks after the write. */
  readonly marks: SourceMarks;
}

/**
 * Events too late for a window, added to its late count. A fixed window's
 * count moves the marks of the shard's partial (`shardId`, `partial`), if the
 * partial is still at `expectedVersion`; a session's moves the item's marks,
 * if the item is still at `expectedVersion` (0: none yet).
 */
export interface LateCount extends WindowKey {
  readonly endMs: number;
  readonly count: number;
  readonly expectedVersion: number;
  /** The marks after the update. */
  readonly marks: SourceMarks;
  /** A fixed window's: the shard whose partial holds the marks, and that partial's content (unchanged). */
  readonly partialOf?: { readonly shardId: string; readonly eventCount: number; readonly state: Readonly<Record<string, EncodedState>> };
}

/**
 * Where windows and watermarks live: DynamoDB in production, an in-memory
 * double in the property tests. Every window write is conditional on the
 * version read (a fixed window's: its shard's partial's) and on the window not
 * being final, so concurrent consumers never lose each other's updates, those
 * of different shards never even race, and a final window never changes.
 */
export interface WindowStore {
  /** Every shard's progress and the pipeline watermark, strongly consistent. */
  readWatermarks(): Promise<WatermarkSnapshot>;
  /** The progress of the given shards (those that have any) and the pipeline watermark, strongly consistent: reads that do not grow with the shard count. */
  readProgress(shardIds: readonly string[]): Promise<WatermarkSnapshot>;
  /** Stores one shard's progress after a batch. */
  writeShardProgress(progress: ShardProgress, nowMs: number): Promise<void>;
  /** Moves the pipeline watermark forward if it is still at `expectedVersion`; false when another consumer moved it first. */
  advanceWatermarks(watermarkMs: Readonly<Record<string, number>>, expectedVersion: number, nowMs: number): Promise<boolean>;
  /** The stored windows for the keys, in order (undefined where none), strongly consistent. */
  getWindows(keys: readonly WindowKey[]): Promise<(StoredWindow | undefined)[]>;
  /** Sessions of a group that may overlap [fromMs, toMs] (every non-final one, plus final ones that do, newest first) and the group's version. */
  findSessions(metric: string, group: string, fromMs: number, toMs: number): Promise<SessionSet>;
  /**
   * Writes and deletes atomically; false (and nothing changed) when any item's
   * version moved or it became final since it was read, or, with a guard, the
   * session group's version moved.
   */
  writeWindows(writes: readonly WindowWrite[], deletes: readonly WindowDelete[], nowMs: number, guard?: SessionGroupGuard): Promise<boolean>;
  /** Writes one shard's partial of a fixed window; false (and nothing changed) when the partial's version moved or the window became final. */
  writePartial(write: PartialWrite, nowMs: number): Promise<boolean>;
  /** Adds a late-event count to a window, which is final (merged) from then on; false when its version moved. */
  addLateCount(count: LateCount, nowMs: number): Promise<boolean>;
  /** Marks final every window of the metric whose final watermark is ≤ `watermarkMs`; returns how many it marked. */
  finalizeWindows(metric: string, watermarkMs: number, nowMs: number): Promise<number>;
}
