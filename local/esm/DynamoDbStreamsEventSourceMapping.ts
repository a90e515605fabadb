import {
  DescribeStreamCommand,
  ExpiredIteratorException,
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
      data: Buffer.from(JSON.stringify(record)),
      approximateArrivalMs: record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now(),
    }));
    return { records, nextIterator: response.NextShardIterator };
  }

  public isExpiredIterator(error: unknown): boolean {
    return error instanceof ExpiredIteratorException;
  }

  public toEvent(records: readonly StreamRecord[]): unknown {
    return toDynamoDbStreamEvent(records, this.mapping.streamArn);
  }
}
