import { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { KinesisShardMap } from '../../../adapters/kinesis/KinesisShardMap';
import { ingestAggregationOf } from '../../../functions/ingest/ingestAggregationOf';

describe('Function: ingestAggregationOf', () => {
  const kinesis = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

  it('packs nothing when the config turned aggregation off (no cap)', () => {
    expect(ingestAggregationOf(undefined, kinesis, 'events')).toBeUndefined();
  });

  it('packs up to the configured cap, routed by a shard map of the stream', () => {
    const aggregation = ingestAggregationOf(25_000, kinesis, 'events');

    expect(aggregation?.maxRecordBytes).toBe(25_000);
    expect(aggregation?.shardMap).toBeInstanceOf(KinesisShardMap);
  });
});
