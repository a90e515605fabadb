import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AGGREGATE_KEYS } from '../adapters/dynamodb/aggregateKeys';

/** The DynamoDB operations a consumer sends, by the SDK's command name without `Command`. */
export const DYNAMODB_OPERATIONS = ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'PutItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'] as const;
export type DynamoDbOperation = (typeof DYNAMODB_OPERATIONS)[number];

const WRITES: ReadonlySet<string> = new Set(['UpdateItem', 'PutItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);
/** The errors of a write that lost its condition: a race another consumer won (or an exactly-once guard that held). */
const LOST_CONDITION = new Set(['ConditionalCheckFailedException', 'TransactionCanceledException']);

/** What the meter saw of one set of requests. */
export interface MeterCounts {
  readonly requests: Record<DynamoDbOperation, number>;
  /** Consumed capacity DynamoDB reported (ReturnConsumedCapacity TOTAL), by operation. */
  readonly readUnits: Record<DynamoDbOperation, number>;
  readonly writeUnits: Record<DynamoDbOperation, number>;
  /** Consumed capacity by table name. */
  readonly readUnitsByTable: Record<string, number>;
  readonly writeUnitsByTable: Record<string, number>;
  /** Writes refused by their condition; DynamoDB reports no capacity for them, but bills them (at least 1 WRU each). */
  readonly conditionFailures: Record<DynamoDbOperation, number>;
  /** Every other error, by name: a bench that sees any has measured something else than the happy path. */
  readonly errors: Record<string, number>;
}

/**
 * Counts every request a DynamoDB client sends, by operation, with the
 * capacity DynamoDB reports (it asks for it on every request), and the same
 * again for the requests that touch the watermark partition (`~watermark`,
 * adapters/dynamodb/aggregateKeys.ts): the one partition every shard's
 * consumer reads and writes each batch, whichever store layout is in use.
 * A middleware on the client, so it sees the document client's commands too.
 */
export class DynamoDbMeter {
  private all = emptyCounts();
  private watermark = emptyCounts();

  /** Counts the requests of `client` too (one client per simulated Lambda container, one meter for them all). */
  public attach(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName as string).replace(/Command$/, '') as DynamoDbOperation;
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity = 'TOTAL';
        const touchesWatermark = JSON.stringify(input).includes(JSON.stringify(AGGREGATE_KEYS.watermarkPartition));
        const sinks = touchesWatermark ? [this.all, this.watermark] : [this.all];
        for (const sink of sinks) sink.requests[operation] = (sink.requests[operation] ?? 0) + 1;
        try {
          const result = await next(args);
          const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
          for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
            const { TableName, CapacityUnits, ReadCapacityUnits, WriteCapacityUnits } = entry as { TableName: string; CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
            // DynamoDB Local reports a total only; split it by what the operation is.
            const write = WriteCapacityUnits ?? (WRITES.has(operation) ? (CapacityUnits ?? 0) : 0);
            const read = ReadCapacityUnits ?? (WRITES.has(operation) ? 0 : (CapacityUnits ?? 0));
            for (const sink of sinks) {
              sink.writeUnits[operation] = (sink.writeUnits[operation] ?? 0) + write;
              sink.readUnits[operation] = (sink.readUnits[operation] ?? 0) + read;
              sink.writeUnitsByTable[TableName] = (sink.writeUnitsByTable[TableName] ?? 0) + write;
              sink.readUnitsByTable[TableName] = (sink.readUnitsByTable[TableName] ?? 0) + read;
            }
          }
          return result;
        } catch (error) {
          const name = (error as Error).name;
          for (const sink of sinks) {
            if (LOST_CONDITION.has(name)) sink.conditionFailures[operation] = (sink.conditionFailures[operation] ?? 0) + 1;
            else sink.errors[name] = (sink.errors[name] ?? 0) + 1;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'dynamoDbMeter' },
    );
    return client;
  }

  /** Starts counting from zero. */
  public reset(): void {
    this.all = emptyCounts();
    this.watermark = emptyCounts();
  }

  /** What was counted since the last reset: every request, and the watermark partition's alone. */
  public counts(): { readonly all: MeterCounts; readonly watermarkPartition: MeterCounts } {
    return { all: structuredClone(this.all), watermarkPartition: structuredClone(this.watermark) };
  }
}

function emptyCounts(): MeterCounts {
  const zero = () => Object.fromEntries(DYNAMODB_OPERATIONS.map((operation) => [operation, 0])) as Record<DynamoDbOperation, number>;
  return { requests: zero(), readUnits: zero(), writeUnits: zero(), readUnitsByTable: {}, writeUnitsByTable: {}, conditionFailures: zero(), errors: {} };
}

/** The sum of a record's values. */
export function total(values: Readonly<Record<string, number>>): number {
  return Object.values(values).reduce((sum, value) => sum + value, 0);
}
