import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { SequenceRange } from '../../core/delivery/sequenceNumbers';
import { RecordsExpiredError } from '../../core/errors';

/** A range of a DynamoDB stream's shard, as its on-failure record (DDBStreamBatchInfo) names it. */
export interface ChangeRange extends SequenceRange {
  readonly streamArn: string;
}

/**
 * The change records of one DynamoDB stream shard from `first` to `last`
 * (inclusive), re-read with GetRecords in the shape Lambda delivers them
 * (creation time in epoch seconds, the stream's ARN, lower-case
 * userIdentity). Sequence numbers compare as BigInt. A range the stream no
 * longer holds (past its 24 hours, or a shard gone) is RecordsExpiredError, and
 * nothing is returned.
 */
export async function readChangeRange(streams: DynamoDBStreamsClient, range: ChangeRange): Promise<DynamoDBRecord[]> {
  const first = BigInt(range.first);
  const last = BigInt(range.last);
  let iterator: string | undefined;
  try {
    ({ ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: range.streamArn, ShardId: range.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: range.first }),
    ));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TrimmedDataAccessException' || name === 'ResourceNotFoundException' || name === 'ValidationException') throw new RecordsExpiredError(range, (error as Error).message);
    throw error;
  }
  const records: DynamoDBRecord[] = [];
  // An open shard answers pages with no records past its end; a closed one ends its iterator.
  for (let emptyReads = 0; iterator && emptyReads < 5; ) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
    iterator = page.NextShardIterator;
    if (!page.Records?.length) {
      emptyReads += 1;
      continue;
    }
    for (const record of page.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '0';
      const sequence = BigInt(sequenceNumber);
      if (records.length === 0 && sequence !== first) throw new RecordsExpiredError(range, `the stream starts at ${sequenceNumber} now`);
      if (sequence > last) return records;
      records.push(asLambdaDelivers(record, range.streamArn));
      if (sequence === last) return records;
    }
  }
  if (records.length === 0) throw new RecordsExpiredError(range, 'the stream returned none of its records');
  throw new RecordsExpiredError(range, `the stream ends at ${records[records.length - 1]!.dynamodb?.SequenceNumber}, before ${range.last}`);
}

/**
 * GetRecords' record as Lambda hands it to a consumer: what the change
 * publisher's code reads. The SDK parses an empty map attribute to `{}` (no
 * type key, which unmarshall refuses) and binary attributes to bytes; Lambda
 * delivers `{"M":{}}` and base64 strings. (The offline event source mapping,
 * local/esm, repairs its records the same way; it may not import adapters.)
 */
function asLambdaDelivers(record: _Record, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...images } = record.dynamodb ?? {};
  const repair = (image: Record<string, unknown> | undefined) => (image ? Object.fromEntries(Object.entries(image).map(([name, value]) => [name, attributeValue(value)])) : undefined);
  const change = {
    ...images,
    ...(images.Keys ? { Keys: repair(images.Keys) } : {}),
    ...(images.NewImage ? { NewImage: repair(images.NewImage) } : {}),
    ...(images.OldImage ? { OldImage: repair(images.OldImage) } : {}),
  };
  return {
    ...(record.eventID !== undefined ? { eventID: record.eventID } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    ...(record.awsRegion !== undefined ? { awsRegion: record.awsRegion } : {}),
    dynamodb: { ...change, ...(ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) } : {}) },
    eventSourceARN: streamArn,
    ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
  } as DynamoDBRecord;
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
