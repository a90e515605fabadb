import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WindowDelta } from '../aggregation/WindowDelta';
import { AggregateWriteError, ConfigError } from '../errors';
import type { AggregateStore, StoredWindow } from './AggregateStore';
import { AGGREGATE_KEYS, aggregatePartitionKey } from './aggregateKeys';

/** Options of the DynamoDB aggregate store. */
export interface DynamoAggregateStoreOptions {
  readonly tableName: string;
  /** Days a window is kept after it ends (the TTL attribute). */
  readonly retentionDays: number;
  /**
   * Concurrent UpdateItem calls per batch.
   * @default 16
   */
  readonly writeConcurrency?: number;
  readonly client?: DynamoDBDocumentClient;
}

/** Aggregates in a DynamoDB time-series table: one atomic `ADD` update per window touched by a batch. */
export class DynamoAggregateStore implements AggregateStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly writeConcurrency: number;

  /** The store a function is configured for: AGGREGATES_TABLE and AGGREGATE_RETENTION_DAYS from the stack. */
  public static fromEnvironment(environment: NodeJS.ProcessEnv = process.env): DynamoAggregateStore {
    const tableName = environment.AGGREGATES_TABLE;
    if (!tableName) throw new ConfigError(['AGGREGATES_TABLE is not set: the function was deployed without its table']);
    return new DynamoAggregateStore({ tableName, retentionDays: Number(environment.AGGREGATE_RETENTION_DAYS ?? '90') });
  }

  public constructor(private readonly options: DynamoAggregateStoreOptions) {
    this.client = options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}));
    this.writeConcurrency = options.writeConcurrency ?? 16;
  }

  public async applyDeltas(deltas: readonly WindowDelta[]): Promise<void> {
    const errors: unknown[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < deltas.length) {
        const delta = deltas[next++]!;
        try {
          await this.applyDelta(delta);
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.writeConcurrency, deltas.length) }, worker));
    if (errors.length > 0) throw new AggregateWriteError(errors.length, errors[0]);
  }

  private async applyDelta(delta: WindowDelta): Promise<void> {
    const names: Record<string, string> = {
      '#count': 'eventCount',
      '#metric': 'metric',
      '#group': 'group',
      '#end': 'windowEnd',
      '#updated': 'updatedAt',
      '#ttl': AGGREGATE_KEYS.ttlAttribute,
    };
    const values: Record<string, unknown> = {
      ':count': delta.eventCount,
      ':metric': delta.metric,
      ':group': delta.group,
      ':end': delta.windowEndMs,
      ':updated': Date.now(),
      ':ttl': Math.floor(delta.windowEndMs / 1000) + this.options.retentionDays * 86_400,
    };
    const additions = ['#count :count'];
    Object.entries(delta.values).forEach(([name, value], index) => {
      names[`#v${index}`] = AGGREGATE_KEYS.valuePrefix + name;
      values[`:v${index}`] = value;
      additions.push(`#v${index} :v${index}`);
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: { [AGGREGATE_KEYS.partitionKey]: aggregatePartitionKey(delta.metric, delta.group), [AGGREGATE_KEYS.sortKey]: delta.windowStartMs },
        UpdateExpression: `ADD ${additions.join(', ')} SET #metric = :metric, #group = :group, #end = :end, #updated = :updated, #ttl = :ttl`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  public async queryWindows(metric: string, group: string, fromMs: number, toMs: number): Promise<StoredWindow[]> {
    const windows: StoredWindow[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :last',
          ExpressionAttributeNames: { '#pk': AGGREGATE_KEYS.partitionKey, '#sk': AGGREGATE_KEYS.sortKey },
          // BETWEEN is inclusive; the range is half-open [from, to).
          ExpressionAttributeValues: { ':pk': aggregatePartitionKey(metric, group), ':from': fromMs, ':last': toMs - 1 },
          ScanIndexForward: true,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) windows.push(toStoredWindow(item));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return windows;
  }
}

function toStoredWindow(item: Record<string, unknown>): StoredWindow {
  const values: Record<string, number> = {};
  for (const [attribute, value] of Object.entries(item)) {
    if (attribute.startsWith(AGGREGATE_KEYS.valuePrefix) && typeof value === 'number') {
      values[attribute.slice(AGGREGATE_KEYS.valuePrefix.length)] = value;
    }
  }
  return {
    windowStartMs: item[AGGREGATE_KEYS.sortKey] as number,
    windowEndMs: item.windowEnd as number,
    eventCount: item.eventCount as number,
    values,
    updatedAtMs: item.updatedAt as number,
  };
}
