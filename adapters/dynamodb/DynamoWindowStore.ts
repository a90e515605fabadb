import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './createDocumentClient';
import { withRetries } from '../aws/withRetries';
import { runLimited } from '../../core/async/runLimited';
import { NO_DELIVERY, type DeliveryState } from '../../core/delivery/DeliveryState';
import { readMarks } from '../../core/delivery/SourceMarks';
import { FinalizationRaceError, TransactionTooLargeError, WindowItemTooLargeError } from '../../core/errors';
import type { StoredAggregation } from '../../core/aggregation/mergePartials';
import type { ShardProgress, WatermarkSnapshot } from '../../core/ports/ShardProgress';
import { AGGREGATE_KEYS, aggregatePartitionKey, pendingPartition, shardSortKey, windowItemKey } from './aggregateKeys';
import { compactedWindow, finalContentOf, partialAttribute, partialSlot, partialsOf, toStoredWindow, toWindowItem, type CompactedWindow } from './windowItems';
import { itemBytes } from './itemBytes';
import { isItemTooLargeError, shouldCompact, WINDOW_ITEM_BUDGET } from './windowItemBudget';
import { WindowItemSizes } from './WindowItemSizes';
import type { LateCount, PartialWrite, SessionGroupGuard, SessionSet, StoredWindow, WindowDelete, WindowKey, WindowStore, WindowWrite } from '../../core/ports/WindowStore';

/** Options of the DynamoDB window store. */
export interface DynamoWindowStoreOptions {
  readonly tableName: string;
  /** Days a window is kept after it ends (the TTL attribute). */
  readonly retentionDays: number;
  /**
   * Concurrent finalisation updates.
   * @default 16
   */
  readonly concurrency?: number;
  /**
   * A partial write whose item would pass this many bytes compacts the item's
   * partials instead (decision 0016); a write DynamoDB refuses as too large compacts
   * whatever this says. Benchmarks and tests vary it; nothing else needs to.
   * @default WINDOW_ITEM_BUDGET.compactAboveBytes (300 KB)
   */
  readonly compactAboveBytes?: number;
  readonly client?: DynamoDBDocumentClient;
}

/** DynamoDB's limits on one BatchGetItem and one transaction. */
const BATCH_GET_LIMIT = 100;
const TRANSACTION_LIMIT = 100;
/**
 * Attempts to finalise one window whose item changed between the read that
 * merged its partials and the update: a consumer whose watermark predates the
 * finalisation writing its partial. Rare (the watermark passed the window), never endless.
 */
const FINALIZE_ATTEMPTS = 12;
/**
 * Attempts of one compaction whose item changed between its read and its
 * update (another shard wrote its partial): each re-reads and folds again.
 * Out of attempts, the partial write reports a lost race and the engine's
 * write-race policy takes over (its re-read sees the item as it is then).
 */
const COMPACTION_ATTEMPTS = 4;

/** What a compaction writes besides the fold: a partial write's attributes, or a late count (the item's own `aggregations` then merge). */
interface Compaction {
  readonly aggregations?: readonly StoredAggregation[];
  readonly write?: PartialWrite;
  readonly lateCount?: number;
}

/**
 * Windows and watermarks in the aggregates table. A fixed window's write is
 * one UpdateItem of the shard's own partial, conditional on that partial's
 * version (one write per window touched per batch; other shards never make it
 * fail); session merges are one transaction per group; finalisation merges the
 * partials into the item with a conditional update, so it happens exactly once per window.
 * A partial write that would pass the item budget compacts the item instead (decision 0016).
 */
export class DynamoWindowStore implements WindowStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly concurrency: number;
  /** The window items' sizes as last read or written: whether a partial write compacts instead (decision 0016). */
  private readonly sizes = new WindowItemSizes();
  private readonly compactAboveBytes: number;

  public constructor(private readonly options: DynamoWindowStoreOptions) {
    this.client = options.client ?? createDocumentClient();
    this.concurrency = options.concurrency ?? 16;
    this.compactAboveBytes = options.compactAboveBytes ?? WINDOW_ITEM_BUDGET.compactAboveBytes;
  }

  public async readWatermarks(): Promise<WatermarkSnapshot> {
    const items: Record<string, unknown>[] = [];
    for await (const item of this.query({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': AGGREGATE_KEYS.watermarkPartition },
      ConsistentRead: true,
    })) {
      items.push(item);
    }
    return watermarkSnapshotOf(items);
  }

  public async readProgress(shardIds: readonly string[]): Promise<WatermarkSnapshot> {
    const pipelineKey = { [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition, [AGGREGATE_KEYS.sortKey]: AGGREGATE_KEYS.pipelineWatermarkSort };
    const keys = [pipelineKey, ...shardIds.map((shardId) => ({ [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition, [AGGREGATE_KEYS.sortKey]: shardSortKey(shardId) }))];
    const items: Record<string, unknown>[] = [];
    for (let offset = 0; offset < keys.length; offset += BATCH_GET_LIMIT) {
      let requested: Record<string, unknown>[] = keys.slice(offset, offset + BATCH_GET_LIMIT);
      await withRetries(
        async () => {
          const result: BatchGetCommandOutput = await this.client.send(new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: requested, ConsistentRead: true } } }));
          items.push(...(result.Responses?.[this.options.tableName] ?? []));
          requested = result.UnprocessedKeys?.[this.options.tableName]?.Keys ?? [];
          return requested.length;
        },
        { what: `BatchGetItem ${this.options.tableName} (progress)`, leftOver: (left) => left },
      );
    }
    return watermarkSnapshotOf(items);
  }

  public async writeShardProgress(progress: ShardProgress, nowMs: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition,
          [AGGREGATE_KEYS.sortKey]: shardSortKey(progress.shardId),
          shardId: progress.shardId,
          maxEventTime: progress.maxEventTimeMs,
          activeAt: progress.activeAtMs,
          delivery: progress.delivery,
          updatedAt: nowMs,
        },
      }),
    );
  }

  public async advanceWatermarks(watermarkMs: Readonly<Record<string, number>>, expectedVersion: number, nowMs: number): Promise<boolean> {
    return this.conditionally(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition,
          [AGGREGATE_KEYS.sortKey]: AGGREGATE_KEYS.pipelineWatermarkSort,
          watermarks: watermarkMs,
          version: expectedVersion + 1,
          updatedAt: nowMs,
        },
        ...(expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey } }
          : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': expectedVersion } }),
      }),
    );
  }

  public async getWindows(keys: readonly WindowKey[]): Promise<(StoredWindow | undefined)[]> {
    if (keys.length === 1) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: windowItemKey(keys[0]!), ConsistentRead: true }));
      if (Item) this.sizes.remember(keys[0]!, Item);
      return [Item ? toStoredWindow(Item) : undefined];
    }
    const found = new Map<string, StoredWindow>();
    for (let offset = 0; offset < keys.length; offset += BATCH_GET_LIMIT) {
      let requested: Record<string, unknown>[] = keys.slice(offset, offset + BATCH_GET_LIMIT).map((key) => windowItemKey(key));
      // Keys DynamoDB left unprocessed (throttled partitions, the 16 MB answer limit) are asked for again under the retry policy.
      await withRetries(
        async () => {
          const result: BatchGetCommandOutput = await this.client.send(
            new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: requested, ConsistentRead: true } } }),
          );
          for (const item of result.Responses?.[this.options.tableName] ?? []) {
            const window = toStoredWindow(item);
            this.sizes.remember(window, item);
            found.set(windowId(window), window);
          }
          requested = result.UnprocessedKeys?.[this.options.tableName]?.Keys ?? [];
          return requested.length;
        },
        { what: `BatchGetItem ${this.options.tableName}`, leftOver: (left) => left },
      );
    }
    return keys.map((key) => found.get(windowId(key)));
  }

  public async findSessions(metric: string, group: string, fromMs: number, toMs: number): Promise<SessionSet> {
    // The group's version first, then its sessions, never both at once: a merge committed between
    // a query that missed it and a version read that saw it would pass the guard and leave two
    // overlapping sessions (the concurrent-shards conformance test caught it under load). Read in
    // this order, any commit after the version read changes the version, and the guard fails.
    const head = await this.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: { ...windowItemKey({ metric, group, startMs: AGGREGATE_KEYS.sessionGroupSort }) }, ConsistentRead: true }),
    );
    const sessions: StoredWindow[] = [];
    // Newest first. Open sessions never overlap each other, so the first open
    // one that ends before `fromMs` means every older one does too.
    for await (const item of this.query({
      KeyConditionExpression: '#pk = :pk AND #sk <= :to',
      ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey, '#sk': AGGREGATE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': aggregatePartitionKey(metric, group), ':to': toMs },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: 25,
    })) {
      if (item[AGGREGATE_KEYS.sortKey] === AGGREGATE_KEYS.sessionGroupSort) break;
      const window = toStoredWindow(item);
      if (window.endMs >= fromMs) sessions.push(window);
      else if (window.finalAtMs === undefined) break;
    }
    const guard = head.Item;
    return { sessions, groupVersion: (guard?.version as number | undefined) ?? 0, groupMarks: readMarks(guard?.src) };
  }

  public async writeWindows(writes: readonly WindowWrite[], deletes: readonly WindowDelete[], nowMs: number, guard?: SessionGroupGuard): Promise<boolean> {
    if (!guard && writes.length === 1 && deletes.length === 0) return this.conditionally(new PutCommand({ TableName: this.options.tableName, ...this.putOf(writes[0]!, nowMs) }));
    const size = writes.length + deletes.length + (guard ? 1 : 0);
    if (size > TRANSACTION_LIMIT) {
      throw new TransactionTooLargeError(size, TRANSACTION_LIMIT);
    }
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      ...(guard ? [{ Put: this.groupVersionPut(guard, nowMs) }] : []),
      ...writes.map((write) => ({ Put: { TableName: this.options.tableName, ...this.putOf(write, nowMs) } })),
      ...deletes.map((item) => ({
        Delete: {
          TableName: this.options.tableName,
          Key: windowItemKey(item),
          ConditionExpression: 'version = :version AND attribute_not_exists(finalAt)',
          ExpressionAttributeValues: { ':version': item.expectedVersion },
        },
      })),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
        return false;
      }
      throw error;
    }
  }

  /**
   * Writes the shard's partial, or compacts the item when it would grow past
   * the budget (`WINDOW_ITEM_BUDGET`): pre-emptively, from the item's size as
   * last read plus the new partial, and reactively, when DynamoDB refuses the
   * write because the item is too large (partials written since the read).
   */
  public async writePartial(write: PartialWrite, nowMs: number): Promise<boolean> {
    const attribute = partialAttribute(shardSortKey(write.shardId));
    const slot = partialSlot(write.shardId, write.partial, write.expectedVersion + 1);
    const estimatedBytes = this.sizes.estimateWith(write, attribute, slot);
    if (estimatedBytes === undefined || !shouldCompact(estimatedBytes, this.compactAboveBytes)) {
      try {
        const written = await this.writeOwnPartial(write, attribute, slot, nowMs);
        if (written) this.sizes.wrote(write, attribute, slot);
        return written;
      } catch (error) {
        if (!isItemTooLargeError(error)) throw error;
      }
    }
    const own = { shardId: write.shardId, partial: write.partial, version: write.expectedVersion + 1 };
    return (await this.compact(write, own, write.expectedVersion, { aggregations: write.aggregations, write }, nowMs)) !== undefined;
  }

  /** One UpdateItem of the shard's partial alone (decision 0013). */
  private async writeOwnPartial(write: PartialWrite, attribute: string, slot: Record<string, unknown>, nowMs: number): Promise<boolean> {
    const repair = write.repairsFinal;
    const names: Record<string, string> = { '#slot': attribute };
    const values: Record<string, unknown> = { ':slot': slot, ':one': 1, ...(write.expectedVersion === 0 ? {} : { ':version': write.expectedVersion }) };
    // Only this shard's attribute and ones every writer sets alike: writers of other shards never conflict.
    const sets = ['#slot = :slot', ...this.commonSets(write, nowMs, names, values)];
    const slotUnchanged = write.expectedVersion === 0 ? 'attribute_not_exists(#slot)' : '#slot.version = :version';
    let condition: string;
    if (repair) {
      // A final window's readers read the merged content: a repair rewrites it, if no other write came in between.
      sets.push('eventCount = :eventCount', '#state = :state', '#values = :values');
      Object.assign(names, { '#state': 'state', '#values': 'values' });
      Object.assign(values, { ':eventCount': repair.eventCount, ':state': repair.state, ':values': repair.values, ':itemVersion': repair.expectedItemVersion });
      condition = `${slotUnchanged} AND version = :itemVersion`;
    } else {
      condition = `${slotUnchanged} AND attribute_not_exists(finalAt)`;
    }
    return this.conditionally(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: windowItemKey(write),
        // The item's version counts every write (ADD needs no read): finalisation checks it to know no partial changed after it merged them.
        UpdateExpression: `SET ${sets.join(', ')} ADD version :one`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** What every partial write of a window sets alike (and a live one the pending index keys): names and values added to the caller's. */
  private commonSets(write: PartialWrite, nowMs: number, names: Record<string, string>, values: Record<string, unknown>): string[] {
    Object.assign(values, { ':metric': write.metric, ':group': write.group, ':end': write.endMs, ':aggregations': write.aggregations, ':now': nowMs, ':ttl': this.expiresAt(write.endMs) });
    Object.assign(names, { '#group': 'group', '#ttl': AGGREGATE_KEYS.ttlAttribute });
    const sets = ['metric = :metric', '#group = :group', 'windowEnd = :end', 'aggregations = :aggregations', 'updatedAt = :now', '#ttl = if_not_exists(#ttl, :ttl)'];
    if (!write.repairsFinal) {
      sets.push('#fpk = :fpk', '#fwm = :fwm');
      Object.assign(names, { '#fpk': AGGREGATE_KEYS.pendingPartitionKey, '#fwm': AGGREGATE_KEYS.pendingSortKey });
      Object.assign(values, { ':fpk': pendingPartition(write.metric, write.group), ':fwm': write.finalAtWatermarkMs });
    }
    return sets;
  }

  /**
   * Compacts a window item (decision 0016): reads it, folds every partial's
   * content and the shard's new one (`own`) into the top-level content, empties
   * every partial but keeps its marks and bumps its version, in one UpdateItem
   * conditioned on the item's version as read, so a partial written in between
   * fails it and the compaction reads and folds again; a partial write of
   * another shard racing it fails its own version condition and re-reads.
   * `late` adds a late count in the same update (and returns the item after
   * it); `partial` sets what a partial write sets. Undefined when the shard's
   * partial is no longer at `expectedVersion` (a lost race: the engine re-reads)
   * or the window became final under a live write; throws
   * `WindowItemTooLargeError` when even the compacted item passes the limit.
   */
  private async compact(
    key: WindowKey,
    own: { readonly shardId: string; readonly partial: PartialWrite['partial']; readonly version: number },
    expectedVersion: number,
    how: Compaction,
    nowMs: number,
  ): Promise<Record<string, unknown> | undefined> {
    const itemKey = windowItemKey(key);
    for (let attempt = 1; attempt <= COMPACTION_ATTEMPTS; attempt++) {
      const { Item: item } = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: itemKey, ConsistentRead: true }));
      if ((partialsOf(item ?? {})[own.shardId]?.version ?? 0) !== expectedVersion) return undefined;
      const repair = how.write?.repairsFinal;
      if (repair ? item?.version !== repair.expectedItemVersion : how.write && typeof item?.finalAt === 'number') return undefined;
      const aggregations = how.aggregations ?? (item?.aggregations as StoredAggregation[] | undefined);
      if (!item || !aggregations) {
        // Nothing to fold into: the shard's partial alone is too large.
        throw this.tooLarge(key, itemBytes({ ...item, [partialAttribute(shardSortKey(own.shardId))]: partialSlot(own.shardId, own.partial, own.version) }));
      }
      const compacted = compactedWindow(item, aggregations, own, repair);
      const compactedBytes = itemBytes({ ...item, ...compacted.slots, eventCount: compacted.eventCount, state: compacted.state, values: compacted.values });
      if (compactedBytes > WINDOW_ITEM_BUDGET.limitBytes) throw this.tooLarge(key, compactedBytes);
      const update = this.compactionUpdate(itemKey, item, compacted, how, nowMs);
      try {
        const { Attributes } = await this.client.send(update);
        this.sizes.remember(key, Attributes ?? { ...item, ...compacted.slots, eventCount: compacted.eventCount, state: compacted.state, values: compacted.values });
        return Attributes ?? item;
      } catch (error) {
        if (isItemTooLargeError(error)) throw this.tooLarge(key, compactedBytes, error);
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return undefined;
  }

  /** The UpdateItem of a compaction: every partial, the top-level content, what the write sets, conditioned on the item's version. */
  private compactionUpdate(itemKey: Record<string, unknown>, item: Record<string, unknown>, compacted: CompactedWindow, how: Compaction, nowMs: number): UpdateCommand {
    const names: Record<string, string> = { '#state': 'state', '#values': 'values' };
    const values: Record<string, unknown> = { ':eventCount': compacted.eventCount, ':state': compacted.state, ':values': compacted.values, ':one': 1, ':itemVersion': item.version };
    const sets = ['eventCount = :eventCount', '#state = :state', '#values = :values'];
    Object.entries(compacted.slots).forEach(([attribute, slot], i) => {
      names[`#p${i}`] = attribute;
      values[`:p${i}`] = slot;
      sets.push(`#p${i} = :p${i}`);
    });
    if (how.write) sets.push(...this.commonSets(how.write, nowMs, names, values));
    else {
      sets.push('updatedAt = :now');
      values[':now'] = nowMs;
    }
    const adds = ['version :one'];
    if (how.lateCount !== undefined) {
      adds.push('lateEvents :count');
      values[':count'] = how.lateCount;
    }
    const live = how.write !== undefined && !how.write.repairsFinal;
    return new UpdateCommand({
      TableName: this.options.tableName,
      Key: itemKey,
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
      // The item's version as read: any write since (a partial, a finalisation, another compaction) fails it, and the compaction reads again.
      ConditionExpression: live ? 'version = :itemVersion AND attribute_not_exists(finalAt)' : 'version = :itemVersion',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(how.lateCount !== undefined ? { ReturnValues: 'ALL_NEW' as const } : {}),
    });
  }

  private tooLarge(key: WindowKey, bytes: number, cause?: unknown): WindowItemTooLargeError {
    return new WindowItemTooLargeError(key.metric, key.group, key.startMs, bytes, WINDOW_ITEM_BUDGET.limitBytes, cause === undefined ? undefined : { cause });
  }

  public async addLateCount(count: LateCount, nowMs: number): Promise<boolean> {
    if (count.partialOf) return this.addPartialLateCount(count, count.partialOf, nowMs);
    return this.conditionally(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: windowItemKey(count),
        // A window an event was late for is final: mark it (once) and drop it from the pending index.
        UpdateExpression:
          'ADD lateEvents :count SET version = :next, src = :src, finalAt = if_not_exists(finalAt, :now), #flpk = :flpk, metric = :metric, #group = :group, windowEnd = if_not_exists(windowEnd, :end), eventCount = if_not_exists(eventCount, :zero), updatedAt = :now, #ttl = if_not_exists(#ttl, :ttl) REMOVE #fpk, #fwm',
        ConditionExpression: count.expectedVersion === 0 ? 'attribute_not_exists(version)' : 'version = :version',
        ExpressionAttributeNames: {
          '#group': 'group',
          '#ttl': AGGREGATE_KEYS.ttlAttribute,
          '#fpk': AGGREGATE_KEYS.pendingPartitionKey,
          '#fwm': AGGREGATE_KEYS.pendingSortKey,
          '#flpk': AGGREGATE_KEYS.finalPartitionKey,
        },
        ExpressionAttributeValues: {
          ':count': count.count,
          ':flpk': pendingPartition(count.metric, count.group),
          ':next': count.expectedVersion + 1,
          ...(count.expectedVersion === 0 ? {} : { ':version': count.expectedVersion }),
          ':src': count.marks,
          ':zero': 0,
          ':now': nowMs,
          ':metric': count.metric,
          ':group': count.group,
          ':end': count.endMs,
          ':ttl': this.expiresAt(count.endMs),
        },
      }),
    );
  }

  /**
   * A fixed window's late count: ADD to the count, the shard's partial with
   * its new marks, conditional on that partial's version alone; then the
   * window is finalised (merged) if it was not final yet. A crash in between
   * leaves a window past its final watermark in the pending index: the next
   * finalisation pass finalises it.
   */
  private async addPartialLateCount(count: LateCount, partialOf: NonNullable<LateCount['partialOf']>, nowMs: number): Promise<boolean> {
    const partial = { eventCount: partialOf.eventCount, state: partialOf.state, marks: count.marks };
    const attribute = partialAttribute(shardSortKey(partialOf.shardId));
    const slot = partialSlot(partialOf.shardId, partial, count.expectedVersion + 1);
    // The partial's content is unchanged, only its marks grow: it passes the budget only when the item is already at it.
    const estimatedBytes = this.sizes.estimateWith(count, attribute, slot);
    let updated: Record<string, unknown> | undefined;
    if (estimatedBytes === undefined || !shouldCompact(estimatedBytes, this.compactAboveBytes)) {
      try {
        const result = await this.client.send(
          new UpdateCommand({
            TableName: this.options.tableName,
            Key: windowItemKey(count),
            UpdateExpression:
              'ADD lateEvents :count, version :one SET #slot = :slot, metric = :metric, #group = :group, windowEnd = if_not_exists(windowEnd, :end), updatedAt = :now, #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: count.expectedVersion === 0 ? 'attribute_not_exists(#slot)' : '#slot.version = :version',
            ExpressionAttributeNames: { '#slot': attribute, '#group': 'group', '#ttl': AGGREGATE_KEYS.ttlAttribute },
            ExpressionAttributeValues: {
              ':count': count.count,
              ':one': 1,
              ':slot': slot,
              ...(count.expectedVersion === 0 ? {} : { ':version': count.expectedVersion }),
              ':now': nowMs,
              ':metric': count.metric,
              ':group': count.group,
              ':end': count.endMs,
              ':ttl': this.expiresAt(count.endMs),
            },
            // The item after the update is the first read of its finalisation (no extra GetItem).
            ReturnValues: 'ALL_NEW',
          }),
        );
        updated = result.Attributes ?? {};
        this.sizes.wrote(count, attribute, slot);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        if (!isItemTooLargeError(error)) throw error;
      }
    }
    // Too large: the same late count (marks and ADD) in the compaction's update.
    updated ??= await this.compact(count, { shardId: partialOf.shardId, partial, version: count.expectedVersion + 1 }, count.expectedVersion, { lateCount: count.count }, nowMs);
    if (!updated) return false;
    // A window an event was late for is final: mark it (once), merged, and drop it from the pending index.
    if (typeof updated.finalAt !== 'number' && updated.version !== undefined) await this.finalizeWindow(windowItemKey(count), nowMs, updated);
    return true;
  }

  public async finalizeWindows(metric: string, watermarkMs: number, nowMs: number): Promise<number> {
    const due: Record<string, unknown>[] = [];
    for (let bucket = 0; bucket < AGGREGATE_KEYS.pendingBuckets; bucket++) {
      for await (const item of this.query({
        IndexName: AGGREGATE_KEYS.pendingIndex,
        KeyConditionExpression: '#fpk = :fpk AND #fwm <= :wm',
        ExpressionAttributeNames: { '#fpk': AGGREGATE_KEYS.pendingPartitionKey, '#fwm': AGGREGATE_KEYS.pendingSortKey },
        ExpressionAttributeValues: { ':fpk': `${metric}#${bucket}`, ':wm': watermarkMs },
      })) {
        due.push({ [AGGREGATE_KEYS.partitionKey]: item[AGGREGATE_KEYS.partitionKey], [AGGREGATE_KEYS.sortKey]: item[AGGREGATE_KEYS.sortKey] });
      }
    }
    let finalized = 0;
    await runLimited(due, this.concurrency, async (key) => {
      if (await this.finalizeWindow(key, nowMs)) finalized += 1;
    });
    return finalized;
  }

  /**
   * Marks one window final, exactly once: reads it, merges its partials and
   * writes the merged content top-level with `finalAt`, conditional on the
   * item's version (a partial written after the read fails it: read and merge
   * again). `first` is the item as just read, if the caller has it. False when
   * the window was already final or is gone.
   */
  private async finalizeWindow(key: Record<string, unknown>, nowMs: number, first?: Record<string, unknown>): Promise<boolean> {
    for (let attempt = 1; attempt <= FINALIZE_ATTEMPTS; attempt++) {
      const item = attempt === 1 && first ? first : (await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: key, ConsistentRead: true }))).Item;
      if (!item || typeof item.finalAt === 'number') return false;
      const content = finalContentOf(item);
      const marked = await this.conditionally(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key,
          // From the pending index into the recent-final one (same bucket), which the correctness audit samples.
          UpdateExpression: `SET finalAt = :now, updatedAt = :now, #flpk = :flpk${content ? ', eventCount = :eventCount, #state = :state, #values = :values' : ''} ADD version :one REMOVE #fpk, #fwm`,
          ConditionExpression: 'version = :version AND attribute_not_exists(finalAt)',
          ExpressionAttributeNames: {
            '#fpk': AGGREGATE_KEYS.pendingPartitionKey,
            '#fwm': AGGREGATE_KEYS.pendingSortKey,
            '#flpk': AGGREGATE_KEYS.finalPartitionKey,
            ...(content ? { '#state': 'state', '#values': 'values' } : {}),
          },
          ExpressionAttributeValues: {
            ':now': nowMs,
            ':one': 1,
            ':flpk': pendingPartition(item.metric as string, item.group as string),
            ':version': item.version,
            ...(content ? { ':eventCount': content.eventCount, ':state': content.state, ':values': content.values } : {}),
          },
        }),
      );
      if (marked) return true;
    }
    throw new FinalizationRaceError(key, FINALIZE_ATTEMPTS);
  }

  private putOf(write: WindowWrite, nowMs: number): { Item: Record<string, unknown>; ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      Item: toWindowItem(write, nowMs, this.expiresAt(write.endMs)),
      ...(write.expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey } }
        : {
            ConditionExpression: write.finalAtMs !== undefined ? 'version = :version' : 'version = :version AND attribute_not_exists(finalAt)',
            ExpressionAttributeValues: { ':version': write.expectedVersion },
          }),
    };
  }

  private groupVersionPut(guard: SessionGroupGuard, nowMs: number) {
    return {
      TableName: this.options.tableName,
      Item: { ...windowItemKey({ metric: guard.metric, group: guard.group, startMs: AGGREGATE_KEYS.sessionGroupSort }), version: guard.expectedVersion + 1, src: guard.marks, updatedAt: nowMs },
      ...(guard.expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey } }
        : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': guard.expectedVersion } }),
    };
  }

  private expiresAt(windowEndMs: number): number {
    return Math.floor(windowEndMs / 1000) + this.options.retentionDays * 86_400;
  }

  private async conditionally(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async *query(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): AsyncGenerator<Record<string, unknown>> {
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ TableName: this.options.tableName, ...input, ExclusiveStartKey: exclusiveStartKey }));
      for (const item of page.Items ?? []) yield item;
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
  }
}

/** What items of the `~watermark` partition say: the pipeline-watermark item its watermarks and version, every other item a shard's progress. */
function watermarkSnapshotOf(items: readonly Record<string, unknown>[]): WatermarkSnapshot {
  const shards = new Map<string, ShardProgress>();
  let watermarkMs: Record<string, number> = {};
  let version = 0;
  for (const item of items) {
    if (item[AGGREGATE_KEYS.sortKey] === AGGREGATE_KEYS.pipelineWatermarkSort) {
      watermarkMs = item.watermarks as Record<string, number>;
      version = item.version as number;
    } else {
      const progress = toShardProgress(item);
      shards.set(progress.shardId, progress);
    }
  }
  return { shards, watermarkMs, version };
}

/** A shard's progress item, decoded. */
function toShardProgress(item: Record<string, unknown>): ShardProgress {
  return {
    shardId: item.shardId as string,
    maxEventTimeMs: (item.maxEventTime as Record<string, number> | undefined) ?? {},
    activeAtMs: (item.activeAt as Record<string, number> | undefined) ?? {},
    delivery: (item.delivery as DeliveryState | undefined) ?? NO_DELIVERY,
  };
}

function windowId(key: WindowKey): string {
  return `${key.metric}\u0000${key.group}\u0000${key.startMs}`;
}
