import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  TrimmedDataAccessException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import type { LocalDynamoDbMapping } from '../assembly/LocalPlan';
import type { BatchInfoKey } from './OnFailureRecord';
import { StreamEventSourceMapping, type PollerTiming, type ShardSource, type StreamMappingDeps } from './StreamEventSourceMapping';
import type { StreamRecord } from './StreamRecord';
import { toDynamoDbStreamEvent } from './toDynamoDbStreamEvent';

export interface DynamoDbMappingDeps extends StreamMappingDeps {
  readonly streams: DynamoDBStreamsClient;
}

/** DynamoDB Streams GetRecords returns at most 1,000 records. */
const MAX_STREAM_RECORDS = 1_000;

/**
 * A local DynamoDB Streams event source mapping: the same batch contract as
 * Kinesis (StreamEventSourceMapping), fed by DynamoDB Local's stream. The
 * record travels as its JSON in `data`, which also sizes it for the 6 MB cap.
 */
export class DynamoDbStreamsEventSourceMapping extends StreamEventSourceMapping {
  public declare readonly mapping: LocalDynamoDbMapping;

  public constructor(mapping: LocalDynamoDbMapping, deps: DynamoDbMappingDeps, timing: PollerTiming = {}) {
    super(mapping, new DynamoDbStreamShardSource(deps.streams, mapping), deps, timing);
  }
}

class DynamoDbStreamShardSource implements ShardSource {
  public readonly batchInfoKey: BatchInfoKey = 'DDBStreamBatchInfo';

  public constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly mapping: LocalDynamoDbMapping,
  ) {}

  public async listShards(): Promise<string[]> {
    const shardIds: string[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.mapping.streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }),
      );
      for (const shard of page.StreamDescription?.Shards ?? []) shardIds.push(shard.ShardId!);
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shardIds;
  }

  public async iterator(shardId: string, afterSequenceNumber: string | undefined): Promise<string | undefined> {
    const response = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.mapping.streamArn,
        ShardId: shardId,
        ShardIteratorType: afterSequenceNumber ? 'AFTER_SEQUENCE_NUMBER' : this.mapping.startingPosition,
        ...(afterSequenceNumber ? { SequenceNumber: afterSequenceNumber } : {}),
      }),
    );
    return response.ShardIterator;
  }

  public async read(shardId: string, iterator: string, limit: number) {
    const response = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, MAX_STREAM_RECORDS) }));
    const records: StreamRecord[] = (response.Records ?? []).map((record: _Record) => ({
      shardId,
      sequenceNumber: record.dynamodb!.SequenceNumber!,
      partitionKey: '',
      data: Buffer.from(JSON.stringify(asLambdaDelivers(record))),
      approximateArrivalMs: record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now(),
    }));
    return { records, nextIterator: response.NextShardIterator };
  }

  /**
   * Both mean "get a new iterator": an expired one, and a trimmed position —
   * which DynamoDB Local also reports for an iterator taken at TRIM_HORIZON
   * while the shard was still empty, once records arrive.
   */
  public isExpiredIterator(error: unknown): boolean {
    return error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException;
  }

  public toEvent(records: readonly StreamRecord[]): unknown {
    return toDynamoDbStreamEvent(records, this.mapping.streamArn);
  }
}

/**
 * A record as Lambda's JSON has it. The SDK parses an empty map attribute to
 * `{}` (no type key) and binary attributes to bytes; Lambda delivers
 * `{"M":{}}` and base64 strings.
 */
function asLambdaDelivers(record: _Record): unknown {
  const images = record.dynamodb;
  if (!images) return record;
  const repair = (image: Record<string, unknown> | undefined) => (image ? Object.fromEntries(Object.entries(image).map(([name, value]) => [name, attributeValue(value)])) : undefined);
  return { ...record, dynamodb: { ...images, Keys: repair(images.Keys), NewImage: repair(images.NewImage), OldImage: repair(images.OldImage) } };
}

function attributeValue(value: unknown): unknown {
  const typed = value as Record<string, unknown>;
  if (Object.keys(typed).length === 0) return { M: {} };
  if (typed.M) return { M: Object.fromEntries(Object.entries(typed.M as Record<string, unknown>).map(([name, inner]) => [name, attributeValue(inner)])) };
  if (typed.L) return { L: (typed.L as unknown[]).map(attributeValue) };
  if (typed.B instanceof Uint8Array) return { B: Buffer.from(typed.B).toString('base64') };
  if (Array.isArray(typed.BS)) return { BS: (typed.BS as Uint8Array[]).map((bytes) => Buffer.from(bytes).toString('base64')) };
  return value;
}
