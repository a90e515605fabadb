import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { SequenceRange } from '../../core/delivery/sequenceNumbers';
import { RecordsExpiredError } from '../../core/errors';
import { toStreamRecord } from './toStreamRecord';

/**
 * The records of one shard from `first` to `last` (inclusive), re-read from the
 * stream in the shape the ESM delivers them. Sequence numbers compare as
 * BigInt. If the stream no longer has `first` (past retention), the read
 * starts later or fails: either way RecordsExpiredError, and nothing is applied.
 */
export async function readRecordRange(kinesis: KinesisClient, streamName: string, range: SequenceRange): Promise<KinesisStreamRecord[]> {
  const first = BigInt(range.first);
  const last = BigInt(range.last);
  let iterator: string | undefined;
  try {
    ({ ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: range.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: range.first }),
    ));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'InvalidArgumentException' || name === 'ResourceNotFoundException') throw new RecordsExpiredError(range, (error as Error).message);
    throw error;
  }
  const records: KinesisStreamRecord[] = [];
  for (let emptyReads = 0; iterator && emptyReads < 5; ) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
    iterator = page.NextShardIterator;
    if (!page.Records?.length) {
      // Past the end of what the shard holds now: the range's last record is gone or never was.
      if ((page.MillisBehindLatest ?? 0) === 0) emptyReads += 1;
      continue;
    }
    for (const record of page.Records) {
      const sequence = BigInt(record.SequenceNumber!);
      if (records.length === 0 && sequence !== first) throw new RecordsExpiredError(range, `the stream starts at ${record.SequenceNumber} now`);
      if (sequence > last) return records;
      records.push(toStreamRecord(range.shardId, record));
      if (sequence === last) return records;
    }
  }
  if (records.length === 0) throw new RecordsExpiredError(range, 'the stream returned none of its records');
  throw new RecordsExpiredError(range, `the stream ends at ${records[records.length - 1]!.kinesis.sequenceNumber}, before ${range.last}`);
}
