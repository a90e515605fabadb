import { CreateTableCommand, ResourceInUseException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Table the local pollers keep their checkpoints in; not part of the stack (Lambda keeps these internally). */
export const CHECKPOINT_TABLE = 'tributary-local-esm-checkpoints';

/**
 * Per-shard checkpoints of the local event source mappings, stored in DynamoDB
 * Local so that a restarted function host resumes after the last finished
 * record. A checkpoint only moves forward: the write is conditional on the
 * stored position being lower. Sequence numbers have up to 128 digits, past
 * DynamoDB's 38-digit numbers, so the position is the number zero-padded to a
 * fixed width, where string order is numeric order.
 */
export class CheckpointStore {
  public constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly documents: DynamoDBDocumentClient,
  ) {}

  /** Creates the checkpoint table if it does not exist yet. */
  public async ensureTable(): Promise<void> {
    try {
      await this.dynamodb.send(
        new CreateTableCommand({
          TableName: CHECKPOINT_TABLE,
          KeySchema: [
            { AttributeName: 'mappingId', KeyType: 'HASH' },
            { AttributeName: 'shardId', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'mappingId', AttributeType: 'S' },
            { AttributeName: 'shardId', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }

  /** The last finished sequence number of a shard, if any. */
  public async get(mappingId: string, shardId: string): Promise<string | undefined> {
    const result = await this.documents.send(new GetCommand({ TableName: CHECKPOINT_TABLE, Key: { mappingId, shardId }, ConsistentRead: true }));
    return result.Item?.sequenceNumber as string | undefined;
  }

  /** Moves the checkpoint to `sequenceNumber`; a lower or equal one is ignored. */
  public async advance(mappingId: string, shardId: string, sequenceNumber: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: CHECKPOINT_TABLE,
          Item: { mappingId, shardId, sequenceNumber, position: toPosition(sequenceNumber), updatedAt: Date.now() },
          ConditionExpression: 'attribute_not_exists(#position) OR #position < :position',
          ExpressionAttributeNames: { '#position': 'position' },
          ExpressionAttributeValues: { ':position': toPosition(sequenceNumber) },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
}

/** Zero-padded to 128 digits (Kinesis's longest): lexicographic order equals numeric order. */
function toPosition(sequenceNumber: string): string {
  return sequenceNumber.padStart(128, '0');
}
