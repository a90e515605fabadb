import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { aggregatorDeadLetters } from '../../ops/aggregatorDeadLetters';
import { redriveDeadLetters } from '../../ops/redriveDeadLetters';
import type { WindowedAggregator } from '../../core/aggregator/WindowedAggregator';
import { envelopeFactory } from '../support/factories';
import { encodeAggregatedRecord } from '../../adapters/kinesis/kpl/AggregatedRecordBuilder';

const sqsMock = mockClient(SQSClient);
const kinesisMock = mockClient(KinesisClient);
const SHARD = 'shardId-000000000000';
const onFailure = (first: string, last: string) => JSON.stringify({ KinesisBatchInfo: { shardId: SHARD, startSequenceNumber: first, endSequenceNumber: last } });

/** The aggregator DLQ (mocked SQS and Kinesis) redriven into `aggregator`. */
function redriveInto(aggregator: WindowedAggregator, dryRun: boolean) {
  return redriveDeadLetters({
    sqs: new SQSClient({}),
    queueUrl: 'dlq',
    consumer: aggregatorDeadLetters({ kinesis: new KinesisClient({}), streamName: 's', aggregator, rejects: { reject: async () => {} } }),
    dryRun,
  });
}

describe('Function: redriveDeadLetters', () => {
  beforeEach(() => {
    sqsMock.reset();
    kinesisMock.reset();
  });

  it('reports a message it cannot apply, keeps it, and applies the others', async () => {
    // Prepare: two DLQ messages of one record each; the aggregator fails on the first with a permanent error.
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: onFailure('1', '1') }, { MessageId: 'm2', ReceiptHandle: 'r2', Body: onFailure('2', '2') }] })
      .resolves({ Messages: [] });
    kinesisMock.on(GetShardIteratorCommand).callsFake((input: { StartingSequenceNumber: string }) => ({ ShardIterator: `at-${input.StartingSequenceNumber}` }));
    kinesisMock.on(GetRecordsCommand).callsFake((input: { ShardIterator: string }) => {
      const sequence = input.ShardIterator.slice(3);
      return {
        Records: [{ SequenceNumber: sequence, PartitionKey: 'k', Data: Buffer.from(JSON.stringify(envelopeFactory({ id: `e${sequence}` }))), ApproximateArrivalTimestamp: new Date() }],
        NextShardIterator: 'next',
        MillisBehindLatest: 0,
      };
    });
    const applied: string[] = [];
    const aggregator = {
      processBatch: async (_shard: string, events: readonly { event: { id: string } }[]) => {
        if (events[0]!.event.id === 'e1') throw new Error('Number 12345678901234567890 is greater than Number.MAX_SAFE_INTEGER');
        applied.push(events[0]!.event.id);
        return undefined;
      },
    } as unknown as WindowedAggregator;

    // Act
    const report = await redriveInto(aggregator, false);

    // Assess
    expect(report).toMatchObject({ messages: 2, redriven: 1, failed: [{ messageId: 'm1', range: { shardId: SHARD, first: '1', last: '1' }, reason: 'Number 12345678901234567890 is greater than Number.MAX_SAFE_INTEGER' }] });
    expect(applied).toEqual(['e2']);
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual(['r2']);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual(['r1']);
  });

  it('counts the events the records hold, as well as the records: a KPL aggregate holds many', async () => {
    // Prepare: one message naming a range of two records, a KPL aggregate of 3 events and a plain one.
    sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: onFailure('1', '2') }] }).resolves({ Messages: [] });
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'at-1' });
    const aggregate = encodeAggregatedRecord(['a', 'b', 'c'].map((id) => ({ partitionKey: 'k', data: Buffer.from(JSON.stringify(envelopeFactory({ id }))) })));
    kinesisMock.on(GetRecordsCommand).resolves({
      Records: [
        { SequenceNumber: '1', PartitionKey: 'k', Data: aggregate, ApproximateArrivalTimestamp: new Date() },
        { SequenceNumber: '2', PartitionKey: 'k', Data: Buffer.from(JSON.stringify(envelopeFactory({ id: 'd' }))), ApproximateArrivalTimestamp: new Date() },
      ],
      NextShardIterator: 'next',
      MillisBehindLatest: 0,
    });
    const applied: string[] = [];
    const aggregator = {
      processBatch: async (_shard: string, events: readonly { event: { id: string } }[]) => {
        applied.push(...events.map((sourced) => sourced.event.id));
        return undefined;
      },
    } as unknown as WindowedAggregator;

    // Act
    const report = await redriveInto(aggregator, true);

    // Assess: a dry run counts them too (it reads, applies nothing).
    expect(report).toMatchObject({ messages: 1, redriven: 0, records: 2, events: 4 });
    expect(applied).toEqual([]);
  });
});
