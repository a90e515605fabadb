import { describe, expect, it } from 'vitest';
import { WindowItemTooLargeError } from '../../../core/errors';
import type { RejectedRecord } from '../../../core/ports/LateEventSink';
import { aggregateRecords } from '../../../adapters/kinesis/aggregateRecords';
import type { WindowedAggregator } from '../../../core/aggregator/WindowedAggregator';
import { envelopeFactory, kinesisRecordFactory, ordersPerRegion } from '../../support/factories';
import { encodeAggregatedRecord } from '../../../adapters/kinesis/kpl/AggregatedRecordBuilder';
import { WindowedAggregator as Engine } from '../../../core/aggregator/WindowedAggregator';
import { compileMetric } from '../../../core/metrics/compileMetric';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import { InMemoryDuplicateLedger } from '../../../core/ports/inMemory/InMemoryDuplicateLedger';
import { InMemoryWindowStore } from '../../../core/ports/inMemory/InMemoryWindowStore';
import { StaticShardDirectory } from '../../../core/ports/ShardDirectory';
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';

/** A KPL aggregated record on the ESM's shape: `parts` are envelopes, or raw text for a poison user record. */
function aggregatedRecord(sequenceNumber: string, parts: readonly (EventEnvelope | string)[]) {
  const record = kinesisRecordFactory(sequenceNumber, 'placeholder');
  const data = encodeAggregatedRecord(parts.map((part) => ({ partitionKey: typeof part === 'string' ? 'poison' : part.key, data: Buffer.from(typeof part === 'string' ? part : JSON.stringify(part)) })));
  return { ...record, kinesis: { ...record.kinesis, data: data.toString('base64') } };
}

const NOW = Date.UTC(2026, 10, 22, 12, 0);
const refusing = { processBatch: async () => Promise.reject(Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' })) } as unknown as WindowedAggregator;

describe('Function: aggregateRecords', () => {
  it('sends a record DynamoDB refuses as invalid to the rejected output once bisection has isolated it', async () => {
    const rejected: RejectedRecord[] = [];
    const outcome = await aggregateRecords([kinesisRecordFactory('7', envelopeFactory())], refusing, { reject: async (records) => void rejected.push(...records) }, NOW);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(rejected.map((record) => record.reason)).toEqual(['Record 7 cannot be aggregated: DynamoDB refused a write for it (Item size has exceeded the maximum allowed size)']);
  });

  it('sends a record whose window would pass 400 KB even compacted to the rejected output, naming the window and its size', async () => {
    const tooLarge = { processBatch: async () => Promise.reject(new WindowItemTooLargeError('customers-per-region', 'eu-west', Date.UTC(2026, 0, 1, 12), 431_000, 409_600)) } as unknown as WindowedAggregator;
    const rejected: RejectedRecord[] = [];

    const outcome = await aggregateRecords([kinesisRecordFactory('8', envelopeFactory())], tooLarge, { reject: async (records) => void rejected.push(...records) }, NOW);

    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(rejected.map((record) => record.reason)).toEqual([
      'Record 8 cannot be aggregated: a window it belongs to cannot grow (Window customers-per-region group "eu-west" at 2026-01-01T12:00:00.000Z would be 431000 bytes even with its partials compacted; DynamoDB\'s item limit is 409600 bytes)',
    ]);
  });

  it('fails a batch of several records, so the ESM bisects it, and never treats throttling as permanent', async () => {
    const sink = { reject: async () => {} };
    await expect(aggregateRecords([kinesisRecordFactory('1', envelopeFactory({ id: 'a' })), kinesisRecordFactory('2', envelopeFactory({ id: 'b' }))], refusing, sink, NOW)).rejects.toThrow('maximum allowed size');
    const throttled = { processBatch: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })) } as unknown as WindowedAggregator;
    await expect(aggregateRecords([kinesisRecordFactory('1', envelopeFactory())], throttled, sink, NOW)).rejects.toThrow('Rate exceeded');
  });

  it('applies the user records of a KPL aggregate around a poison one, which alone goes to the rejected output; a redelivery changes nothing', async () => {
    // Prepare: aggregate 5 holds two orders, a poison user record and a re-send of the first order; a plain record 6 follows.
    const store = new InMemoryWindowStore();
    const engine = new Engine([compileMetric(ordersPerRegion)], store, store, new StaticShardDirectory(['shardId-000000000000'], 0), {
      completions: new InMemoryCompletionLog(),
      duplicates: new InMemoryDuplicateLedger(),
    });
    const a = envelopeFactory({ id: 'a', data: { region: 'eu', amount: 3 } });
    const b = envelopeFactory({ id: 'b', key: 'customer-2', data: { region: 'eu', amount: 4 } });
    const c = envelopeFactory({ id: 'c', data: { region: 'eu', amount: 5 } });
    const batch = [aggregatedRecord('5', [a, b, '{"not":"an envelope"}', a]), kinesisRecordFactory('6', c)];
    const rejected: RejectedRecord[] = [];
    const sink = { reject: async (records: readonly RejectedRecord[]) => void rejected.push(...records) };

    // Act: delivered, then delivered again (at least once), then the aggregate alone (a bisected half).
    const first = await aggregateRecords(batch, engine, sink, NOW);
    await aggregateRecords(batch, engine, sink, NOW);
    await aggregateRecords([batch[0]!], engine, sink, NOW);

    // Assess: a, b, c counted once each (the re-send of a dropped), the poison named by aggregate and index.
    expect(first.summary?.duplicatesDropped).toBe(1);
    const [window] = [...store.windows.values()];
    expect(window).toMatchObject({ eventCount: 3 });
    expect(rejected.map((record) => [record.sequenceNumber, record.subSequence, record.reason])).toEqual(
      Array.from({ length: 3 }, () => ['5', 2, 'Record 5 sub-record 2 cannot be processed: envelope has no string id']),
    );
  });

  it('sends every user record of a lone aggregate DynamoDB refuses to the rejected output, each by its index', async () => {
    const rejected: RejectedRecord[] = [];
    const aggregate = aggregatedRecord('8', [envelopeFactory({ id: 'x' }), envelopeFactory({ id: 'y' })]);
    const outcome = await aggregateRecords([aggregate], refusing, { reject: async (records) => void rejected.push(...records) }, NOW);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(rejected.map((record) => [record.subSequence, JSON.parse(Buffer.from(record.dataBase64, 'base64').toString()).id, record.reason])).toEqual([
      [0, 'x', 'Record 8 sub-record 0 cannot be aggregated: DynamoDB refused a write for it (Item size has exceeded the maximum allowed size) for its KPL aggregate, which no retry can split'],
      [1, 'y', 'Record 8 sub-record 1 cannot be aggregated: DynamoDB refused a write for it (Item size has exceeded the maximum allowed size) for its KPL aggregate, which no retry can split'],
    ]);
  });
});
