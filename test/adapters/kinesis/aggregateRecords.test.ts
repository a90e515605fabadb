import { describe, expect, it } from 'vitest';
import type { RejectedRecord } from '../../../core/ports/LateEventSink';
import { aggregateRecords } from '../../../adapters/kinesis/aggregateRecords';
import type { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { envelopeFactory, kinesisRecordFactory } from '../../support/factories';

const NOW = Date.UTC(2026, 10, 22, 12, 0);
const refusing = { processBatch: async () => Promise.reject(Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' })) } as unknown as WindowedAggregator;

describe('Function: aggregateRecords', () => {
  it('sends a record DynamoDB refuses as invalid to the rejected output once bisection has isolated it', async () => {
    const rejected: RejectedRecord[] = [];
    const outcome = await aggregateRecords([kinesisRecordFactory('7', envelopeFactory())], refusing, { reject: async (records) => void rejected.push(...records) }, NOW);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(rejected.map((record) => record.reason)).toEqual(['Record 7 cannot be aggregated: DynamoDB refused a write for it (Item size has exceeded the maximum allowed size)']);
  });

  it('fails a batch of several records, so the ESM bisects it, and never treats throttling as permanent', async () => {
    const sink = { reject: async () => {} };
    await expect(aggregateRecords([kinesisRecordFactory('1', envelopeFactory({ id: 'a' })), kinesisRecordFactory('2', envelopeFactory({ id: 'b' }))], refusing, sink, NOW)).rejects.toThrow('maximum allowed size');
    const throttled = { processBatch: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })) } as unknown as WindowedAggregator;
    await expect(aggregateRecords([kinesisRecordFactory('1', envelopeFactory())], throttled, sink, NOW)).rejects.toThrow('Rate exceeded');
  });
});
