import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisShardMap } from '../../adapters/kinesis/KinesisShardMap';
import type { IngestAggregation } from './ingestEvents';

/**
 * The KPL aggregation ingest packs with: the record size cap the config resolved
 * (`ingest.aggregation.maxRecordBytes`; undefined when aggregation is off) and a
 * shard map of the stream, cached per container (SHARD_MAP_TTL_MS), so a request
 * lists the shards at most once a minute. The one place the ingest function and
 * the benches build it.
 */
export function ingestAggregationOf(maxRecordBytes: number | undefined, kinesis: KinesisClient, streamName: string): IngestAggregation | undefined {
  return maxRecordBytes === undefined ? undefined : { maxRecordBytes, shardMap: new KinesisShardMap(kinesis, streamName) };
}
