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
import { FinalizationRaceError, TransactionTooLargeError } from '../../core/errors';
import type { ShardProgress, WatermarkSnapshot } from '../../core/ports/ShardProgress';
import { AGGREGATE_KEYS, aggregatePartitionKey, pendingPartition, shardSortKey, windowItemKey } from './aggregateKeys';
import { finalContentOf, partialAttribute, partialSlot, toStoredWindow, toWindowItem } from './windowItems';
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
 * Windows and watermarks in the aggregates table. A fixed window's write is
 * one UpdateItem of the shard's own partial, conditional on that partial's
 * version (one write per window touched per batch; other shards never make it
 * fail); session merges are one transaction per group; finalisation merges the
 * partials into the item with a conditional update, so it happens exactly once per window.
 */
export class DynamoWindowStore implements WindowStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly concurrency: number;

  public constructor(private readonly options: DynamoWindowStoreOptions) {
    this.client = options.client ?? createDocumentClient();
    this.concurrency = options.concurrency ?? 16;
  }

  public async readWatermarks(): Promise<WatermarkSnapshot> {
    const shards = new Map<string, ShardProgress>();
    let watermarkMs: Record<string, number> = {};
    let version = 0;
    for await (const item of this.query({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': AGGREGATE_KEYS.watermarkPartition },
      ConsistentRead: true,
    })) {
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

  public async readProgress(shardIds: readonly string[]): Promise<WatermarkSnapshot> {
    const pipelineKey = { [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition, [AGGREGATE_KEYS.sortKey]: AGGREGATE_KEYS.pipelineWatermarkSort };
    const shards = new Map<string, ShardProgress>();
    let watermarkMs: Record<string, number> = {};
    let version = 0;
    const keys = [pipelineKey, ...shardIds.map((shardId) => ({ [AGGREGATE_KEYS.partitionKey]: AGGREGATE_KEYS.watermarkPartition, [AGGREGATE_KEYS.sortKey]: shardSortKey(shardId) }))];
    for (let offset = 0; offset < keys.length; offset += BATCH_GET_LIMIT) {
      let requested: Record<string, unknown>[] = keys.slice(offset, offset + BATCH_GET_LIMIT);
      await withRetries(
        async () => {
          const result: BatchGetCommandOutput = await this.client.send(new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: requested, ConsistentRead: true } } }));
          for (const item of result.Responses?.[this.options.tableName] ?? []) {
            if (item[AGGREGATE_KEYS.sortKey] === AGGREGATE_KEYS.pipelineWatermarkSort) {
              watermarkMs = item.watermarks as Record<string, number>;
              version = item.version as number;
            } else {
              const progress = toShardProgress(item);
              shards.set(progress.shardId, progress);
            }
          }
          requested = result.UnprocessedKeys?.[this.options.tableName]?.Keys ?? [];
          return requested.length;
        },
        { what: `BatchGetItem ${this.options.tableName} (progress)`, leftOver: (left) => left },
      );
    }
    return { shards, watermarkMs, version };
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

  public async writePartial(write: PartialWrite, nowMs: number): Promise<boolean> {
    const repair = write.repairsFinal;
    const names: Record<string, string> = { '#slot': partialAttribute(shardSortKey(write.shardId)), '#group': 'group', '#ttl': AGGREGATE_KEYS.ttlAttribute };
    const values: Record<string, unknown> = {
      ':slot': partialSlot(write.shardId, write.partial, write.expectedVersion + 1),
      ':one': 1,
      ':now': nowMs,
      ':metric': write.metric,
      ':group': write.group,
      ':end': write.endMs,
      ':aggregations': write.aggregations,
      ':ttl': this.expiresAt(write.endMs),
      ...(write.expectedVersion === 0 ? {} : { ':version': write.expectedVersion }),
    };
    // Only this shard's attribute and ones every writer sets alike: writers of other shards never conflict.
    const sets = ['#slot = :slot', 'metric = :metric', '#group = :group', 'windowEnd = :end', 'aggregations = :aggregations', 'updatedAt = :now', '#ttl = if_not_exists(#ttl, :ttl)'];
    const slotUnchanged = write.expectedVersion === 0 ? 'attribute_not_exists(#slot)' : '#slot.version = :version';
    let condition: string;
    if (repair) {
      // A final window's readers read the merged content: a repair rewrites it, if no other write came in between.
      sets.push('eventCount = :eventCount', '#state = :state', '#values = :values');
      Object.assign(names, { '#state': 'state', '#values': 'values' });
      Object.assign(values, { ':eventCount': repair.eventCount, ':state': repair.state, ':values': repair.values, ':itemVersion': repair.expectedItemVersion });
      condition = `${slotUnchanged} AND version = :itemVersion`;
    } else {
      sets.push('#fpk = :fpk', '#fwm = :fwm');
      Object.assign(names, { '#fpk': AGGREGATE_KEYS.pendingPartitionKey, '#fwm': AGGREGATE_KEYS.pendingSortKey });
      Object.assign(values, { ':fpk': pendingPartition(write.metric, write.group), ':fwm': write.finalAtWatermarkMs });
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
    const slot = partialSlot(partialOf.shardId, { eventCount: partialOf.eventCount, state: partialOf.state, marks: count.marks }, count.expectedVersion + 1);
    let updated: Record<string, unknown> | undefined;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: windowItemKey(count),
          UpdateExpression:
            'ADD lateEvents :count, version :one SET #slot = :slot, metric = :metric, #group = :group, windowEnd = if_not_exists(windowEnd, :end), updatedAt = :now, #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: count.expectedVersion === 0 ? 'attribute_not_exists(#slot)' : '#slot.version = :version',
          ExpressionAttributeNames: { '#slot': partialAttribute(shardSortKey(partialOf.shardId)), '#group': 'group', '#ttl': AGGREGATE_KEYS.ttlAttribute },
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
      updated = result.Attributes;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    // A window an event was late for is final: mark it (once), merged, and drop it from the pending index.
    if (updated && typeof updated.finalAt !== 'number') await this.finalizeWindow(windowItemKey(count), nowMs, updated);
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
