import type { ApiConfig } from './TributaryConfig';

/** Records per second one Kinesis shard takes in. */
export const SHARD_RECORDS_PER_SECOND = 1_000;

/** API Gateway's account-level burst ceiling per region. */
export const MAX_STAGE_BURST = 5_000;

/** API Gateway's default account-level steady rate per region. */
export const MAX_STAGE_RATE_PER_SECOND = 10_000;

/** What one ingest request is assumed to take, for the reserved concurrency the stage limit needs. */
export const INGEST_REQUEST_SECONDS = 0.05;

/**
 * The API settings computed from the stream when the config leaves them out:
 * the stage takes at most what the shards take when every request carries one
 * event (so a flood is refused with 429 before it reaches the stream), its
 * burst is one second of that (API Gateway caps bursts at 5,000), and the
 * ingest function may run as many copies as are in flight at that rate.
 * Each is clamped to what API Gateway and Lambda accept, so a derived value
 * is never the problem synth reports (an invalid shard count is reported as such).
 */
export function deriveApiDefaults(shardCount: number, api: ApiConfig = {}): Pick<Required<ApiConfig>, 'rateLimitPerSecond' | 'burstLimit' | 'ingestReservedConcurrency'> {
  const shards = Number.isInteger(shardCount) && shardCount > 0 ? shardCount : 1;
  const rateLimitPerSecond = api.rateLimitPerSecond ?? Math.min(MAX_STAGE_RATE_PER_SECOND, SHARD_RECORDS_PER_SECOND * shards);
  const steadyRate = Number.isInteger(rateLimitPerSecond) && rateLimitPerSecond > 0 ? Math.min(MAX_STAGE_RATE_PER_SECOND, rateLimitPerSecond) : 1;
  const burstLimit = api.burstLimit ?? Math.min(MAX_STAGE_BURST, steadyRate);
  const ingestReservedConcurrency = api.ingestReservedConcurrency ?? Math.min(1_000, Math.ceil(steadyRate * INGEST_REQUEST_SECONDS));
  return { rateLimitPerSecond, burstLimit, ingestReservedConcurrency };
}
