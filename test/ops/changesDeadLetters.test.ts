import { describe, expect, it } from 'vitest';
import { changeRangeOf } from '../../ops/changesDeadLetters';
import { kinesisRangeOf } from '../../ops/kinesisRangeOf';

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Tributary-AggregatesTable-111/stream/2026-12-01T00:00:00.000';

/** What a DynamoDB Streams event source mapping sends to its on-failure queue. */
function ddbOnFailure(info: Record<string, unknown>): string {
  return JSON.stringify({
    requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:changes', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-12-03T08:00:00.000Z',
    DDBStreamBatchInfo: info,
  });
}

describe('Function: changeRangeOf', () => {
  it('reads the shard, the sequence range and the stream ARN of a DynamoDB Streams on-failure record', () => {
    // Prepare
    const body = ddbOnFailure({
      shardId: 'shardId-00000001796287040852-b5aa03c7',
      startSequenceNumber: '4200000000000000000041',
      endSequenceNumber: '4200000000000000000052',
      approximateArrivalOfFirstRecord: '2026-12-03T07:59:00Z',
      approximateArrivalOfLastRecord: '2026-12-03T07:59:01Z',
      batchSize: 4,
      streamArn: STREAM_ARN,
    });

    // Act
    const range = changeRangeOf(body);

    // Assess
    expect(range).toEqual({ shardId: 'shardId-00000001796287040852-b5aa03c7', first: '4200000000000000000041', last: '4200000000000000000052', streamArn: STREAM_ARN });
  });

  it('is undefined for what is not one: a Kinesis on-failure record, a record without its stream, not JSON', () => {
    const kinesis = JSON.stringify({ KinesisBatchInfo: { shardId: 'shardId-000000000000', startSequenceNumber: '1', endSequenceNumber: '2' } });
    expect(changeRangeOf(kinesis)).toBeUndefined();
    expect(changeRangeOf(ddbOnFailure({ shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2' }))).toBeUndefined();
    expect(changeRangeOf('not json')).toBeUndefined();
    expect(changeRangeOf(undefined)).toBeUndefined();
    // And the other way round: the Kinesis queues' reader does not take a change record.
    expect(kinesisRangeOf(ddbOnFailure({ shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2', streamArn: STREAM_ARN }))).toBeUndefined();
  });
});
