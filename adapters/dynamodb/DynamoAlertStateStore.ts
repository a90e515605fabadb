import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertState } from '../../core/alerts/AlertState';
import type { MetricAlert } from '../../core/alerts/MetricAlert';
import type { AlertStateStore, StoredAlertState } from '../../core/ports/AlertStateStore';
import { ALERT_STATE_KEYS } from './alertStateKeys';

/**
 * Alert states in their own table, not the aggregates table: a state write
 * there would come back on the aggregates stream that feeds the evaluator.
 * Every write is conditional on the version read.
 */
export class DynamoAlertStateStore implements AlertStateStore {
  public constructor(
    private readonly tableName: string,
    private readonly client: DynamoDBDocumentClient,
  ) {}

  public async read(key: string): Promise<StoredAlertState | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { [ALERT_STATE_KEYS.partitionKey]: key }, ConsistentRead: true }));
    if (!Item) return undefined;
    return { state: Item.state as AlertState, pending: (Item.pending as MetricAlert[] | undefined) ?? [], version: Item.version as number };
  }

  public async write(key: string, state: AlertState, pending: readonly MetricAlert[], expectedVersion: number, expiresAtMs: number): Promise<boolean> {
    return this.conditionally(
      new PutCommand({
        TableName: this.tableName,
        Item: { [ALERT_STATE_KEYS.partitionKey]: key, state, pending, version: expectedVersion + 1, [ALERT_STATE_KEYS.ttlAttribute]: Math.ceil(expiresAtMs / 1000) },
        ...(expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': ALERT_STATE_KEYS.partitionKey } }
          : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
    );
  }

  public async clearPending(key: string, expectedVersion: number): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [ALERT_STATE_KEYS.partitionKey]: key },
        UpdateExpression: 'SET pending = :none, version = :next',
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':none': [], ':next': expectedVersion + 1, ':expected': expectedVersion },
      }),
    );
  }

  private async conditionally(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutCommand);
      return true;
    } catch (error) {
      // Another consumer wrote first: the evaluator re-reads and re-evaluates.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
