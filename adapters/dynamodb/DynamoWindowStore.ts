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
import { TransactionTooLargeError } from '../../core/errors';
import type { ShardProgress, WatermarkSnapshot } from '../../core/ports/ShardProgress';
import { AGGREGATE_KEYS, aggregatePartitionKey, pendingPartition, shardSortKey, windowItemKey } from './aggregateKeys';
import { toStoredWindow, toWindowItem } from './windowItems';
import type { LateCount, SessionGroupGuard, SessionSet, StoredWindow, WindowDelete, WindowKey, WindowStore, WindowWrite } from '../../core/ports/WindowStore';

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
 * Windows and watermarks in the aggregates table. Window writes are
 * conditional PutItems on the version read (one write per window touched per
 * batch); session merges are one transaction per group; finalisation is a
 * conditional update, so it happens exactly once per window.
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
        const shardId = item.shardId as string;
        shards.set(shardId, {
          shardId,
          maxEventTimeMs: (item.maxEventTime as Record<string, number> | undefined) ?? {},
          activeAtMs: (item.activeAt as Record<string, number> | undefined) ?? {},
          delivery: (item.delivery as DeliveryState | undefined) ?? NO_DELIVERY,
        });
      }
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

  public async addLateCount(count: LateCount, nowMs: number): Promise<boolean> {
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

  public async finalizeWindows(metric: string, watermarkMs: number, nowMs: number): Promise<number> {
    const due: { key: Record<string, unknown>; bucket: unknown }[] = [];
    for (let bucket = 0; bucket < AGGREGATE_KEYS.pendingBuckets; bucket++) {
      for await (const item of this.query({
        IndexName: AGGREGATE_KEYS.pendingIndex,
        KeyConditionExpression: '#fpk = :fpk AND #fwm <= :wm',
        ExpressionAttributeNames: { '#fpk': AGGREGATE_KEYS.pendingPartitionKey, '#fwm': AGGREGATE_KEYS.pendingSortKey },
        ExpressionAttributeValues: { ':fpk': `${metric}#${bucket}`, ':wm': watermarkMs },
      })) {
        due.push({ key: { [AGGREGATE_KEYS.partitionKey]: item[AGGREGATE_KEYS.partitionKey], [AGGREGATE_KEYS.sortKey]: item[AGGREGATE_KEYS.sortKey] }, bucket: item[AGGREGATE_KEYS.pendingPartitionKey] });
      }
    }
    let finalized = 0;
    await runLimited(due, this.concurrency, async ({ key, bucket }) => {
      const marked = await this.conditionally(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key,
          // From the pending index into the recent-final one (same bucket), which the correctness audit samples.
          UpdateExpression: 'SET finalAt = :now, updatedAt = :now, #flpk = :flpk ADD version :one REMOVE #fpk, #fwm',
          // Exactly once: a window already final (or gone) is left alone.
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(finalAt)',
          ExpressionAttributeNames: {
            '#pk': AGGREGATE_KEYS.partitionKey,
            '#fpk': AGGREGATE_KEYS.pendingPartitionKey,
            '#fwm': AGGREGATE_KEYS.pendingSortKey,
            '#flpk': AGGREGATE_KEYS.finalPartitionKey,
          },
          ExpressionAttributeValues: { ':now': nowMs, ':one': 1, ':flpk': bucket },
        }),
      );
      if (marked) finalized += 1;
    });
    return finalized;
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

function windowId(key: WindowKey): string {
  return `${key.metric}\u0000${key.group}\u0000${key.startMs}`;
}
