import type { ListPrices } from './listPrices';
import type { IngestUnits, UnitCounts } from './UnitCounts';

/** The workload to plan for. */
export interface PlanInput {
  readonly eventsPerSecond: number;
  /** Bytes of one event's JSON as the producer sends it. */
  readonly eventBytes: number;
  readonly eventsPerRequest: number;
  /** Distinct groups each metric sees per window. */
  readonly groupsPerMetric: number;
  readonly metrics: number;
  /** Shards to plan with instead of the ones the throughput needs. */
  readonly shards?: number;
  /** The aggregator's (and archive's) ESM batch size (config aggregator.batchSize), in Kinesis records. */
  readonly batchSize: number;
  readonly memoryMb: { readonly ingest: number; readonly aggregator: number; readonly archive: number; readonly changes: number };
  /** The change publisher's batch size on the aggregates table's stream (config changes.batchSize). */
  readonly changesBatchSize: number;
}

/** What a shard takes (Kinesis provisioned): 1 MiB/s and 1,000 records/s of writes. */
export const SHARD_LIMITS = { bytesPerSecond: 1_048_576, recordsPerSecond: 1_000 } as const;
/** Shards are planned at 80 % of their limits: 25 % headroom for bursts and uneven partition keys. */
export const SHARD_TARGET_UTILISATION = 0.8;
/** What one DynamoDB partition takes: 1,000 WCU/s and 3,000 RCU/s. */
export const PARTITION_LIMITS = { writeUnitsPerSecond: 1_000, readUnitsPerSecond: 3_000 } as const;
/** The ESM reads each shard about once per second (REFERENCES.md): at low rates a batch is a second of the shard's events. */
export const ESM_POLLS_PER_SECOND = 1;

/** Per-month cost of each component, US dollars. */
export interface MonthlyCost {
  readonly apiGateway: number;
  readonly kinesis: number;
  readonly lambda: number;
  readonly dynamodb: number;
  readonly total: number;
}

/** The plan: what the workload needs, what it costs, and what to watch. */
export interface CapacityPlan {
  readonly input: PlanInput;
  readonly ingestBasis: IngestUnits;
  readonly kinesis: {
    readonly shards: number;
    /** Shards the throughput needs at the target utilisation, before rounding up. */
    readonly shardsForThroughput: number;
    readonly recordsPerSecond: number;
    readonly bytesPerSecond: number;
    readonly bytesPerRecord: number;
    readonly putPayloadUnitsPerSecond: number;
  };
  readonly lambda: {
    readonly ingestRequestsPerSecond: number;
    readonly ingestConcurrency: number;
    /** One consumer per shard (ParallelizationFactor 1), each for the aggregator and the archive. */
    readonly aggregatorConcurrency: number;
    readonly archiveConcurrency: number;
    readonly eventsPerBatch: number;
    readonly batchesPerSecond: number;
    readonly aggregatorMsPerBatch: number;
    /** Share of each second a shard's aggregator is busy; above 1 it falls behind. */
    readonly aggregatorBusyShare: number;
  };
  readonly dynamodb: {
    readonly aggregatorWriteUnitsPerSecond: number;
    readonly aggregatorReadUnitsPerSecond: number;
    readonly archiveWriteUnitsPerSecond: number;
    /** The change publisher's idempotency records: one change per window written. */
    readonly changesWriteUnitsPerSecond: number;
    readonly changesReadUnitsPerSecond: number;
    readonly writeUnitsPerSecond: number;
    readonly readUnitsPerSecond: number;
    /** WCU/s on the partition of one group's open window: every shard writes it each batch. */
    readonly hotWindowWriteUnitsPerSecond: number;
    readonly watermarkWriteUnitsPerSecond: number;
    readonly watermarkReadUnitsPerSecond: number;
  };
  readonly monthlyCost: MonthlyCost;
  readonly compare: {
    /** Every event one Kinesis record and one DynamoDB write per metric (no pre-aggregation). */
    readonly perEventWrites: MonthlyCost;
    /** Managed Service for Apache Flink's smallest application alone (the API and stream in front come on top). */
    readonly flinkFloor: number;
  };
  readonly warnings: readonly string[];
  /** What the plan could not count (a units.json without that measurement). */
  readonly notes: readonly string[];
}

/**
 * Sizes and prices a Tributary deployment from measured unit counts: shards
 * from bytes and records per second, consumers from shards, DynamoDB units
 * from batches and windows, cost at list prices. Pure arithmetic: every
 * count comes from `units` (bench/results/units.json), every price from
 * `prices`, so the same inputs always print the same plan.
 */
export function planCapacity(input: PlanInput, units: UnitCounts, prices: ListPrices): CapacityPlan {
  const rate = input.eventsPerSecond;
  const ingest = ingestBasis(units.ingest.runs, input.eventsPerRequest);

  // Kinesis: what ingest writes, measured per event at this request size.
  const bytesPerEvent = input.eventBytes + ingest.overheadBytesPerEvent;
  const recordsPerSecond = rate * ingest.recordsPerEvent;
  const bytesPerSecond = rate * bytesPerEvent;
  const bytesPerRecord = bytesPerEvent / ingest.recordsPerEvent;
  const putPayloadUnitsPerSecond = recordsPerSecond * Math.ceil(bytesPerRecord / prices.kinesis.putPayloadUnitBytes);
  const shardsForThroughput = shardsFor(bytesPerSecond, recordsPerSecond);
  const shards = input.shards ?? Math.max(1, Math.ceil(shardsForThroughput));

  // The consumers: a batch is what a shard holds at its poll, at most batchSize Kinesis
  // records, and a record holds 1 ÷ recordsPerEvent events when ingest aggregates (KPL).
  const aggregator = units.aggregator;
  const perShardRate = rate / shards;
  const eventsPerBatch = Math.min(input.batchSize / ingest.recordsPerEvent, Math.max(1, perShardRate / ESM_POLLS_PER_SECOND));
  const batchesPerShardPerSecond = perShardRate / eventsPerBatch;
  const batchesPerSecond = shards * batchesPerShardPerSecond;
  const archiveMsPerBatch = units.archive.msPerBatch * Math.max(1, eventsPerBatch / (units.archive.batchRecords * units.archive.eventsPerRecord));

  // DynamoDB: fixed units per batch, plus every (metric, group) the batch touches.
  const groupsTouched = input.metrics * Math.min(input.groupsPerMetric, eventsPerBatch);
  const windowsPerBatch = groupsTouched * aggregator.windowWritesPerGroupTouched;
  // A batch's time as the bench fitted it: a part per batch, per event and per window written.
  const time = aggregator.batchTime;
  const aggregatorMsPerBatch = time.fixedMs + time.msPerEvent * eventsPerBatch + time.msPerWindowWrite * windowsPerBatch;
  const aggregatorWriteUnitsPerSecond = batchesPerSecond * (aggregator.fixedWriteUnitsPerBatch + windowsPerBatch * aggregator.writeUnitsPerWindowWrite);
  const aggregatorReadUnitsPerSecond = batchesPerSecond * (aggregator.fixedReadUnitsPerBatch + windowsPerBatch * aggregator.readUnitsPerWindowWrite);
  // An archived event grows with its bytes: its row by 1 WRU per KB, and its share of a type page (decision 0017).
  const archiveUnitsPerEvent = units.archive.writeUnitsPerEvent * (Math.max(1, Math.ceil(bytesPerEvent / 1_024)) / Math.max(1, Math.ceil(units.archive.itemBytes / 1_024)));
  const archiveWriteUnitsPerSecond = rate * archiveUnitsPerEvent;
  // One group's window: written by every shard whose batch holds an event of the group.
  const shareOfBatchesWithGroup = Math.min(1, eventsPerBatch / input.groupsPerMetric);
  const hotWindowWriteUnitsPerSecond = batchesPerSecond * shareOfBatchesWithGroup * aggregator.windowWritesPerGroupTouched * aggregator.writeUnitsPerWindowWrite;
  // Every window written is a change on the aggregates table's stream, published once (Powertools idempotency).
  const changesPerSecond = batchesPerSecond * windowsPerBatch;
  const changesWriteUnitsPerSecond = changesPerSecond * (units.changes?.writeUnitsPerChange ?? 0);
  const changesReadUnitsPerSecond = changesPerSecond * (units.changes?.readUnitsPerChange ?? 0);
  const changesMsPerSecond = changesPerSecond * (units.changes?.msPerChange ?? 0);
  const watermarkWriteUnitsPerSecond = batchesPerSecond * aggregator.watermarkWriteUnitsPerBatch;
  const watermarkReadUnitsPerSecond = batchesPerSecond * aggregator.watermarkReadUnitsPerBatch;

  // Lambda.
  const ingestRequestsPerSecond = rate / input.eventsPerRequest;
  const ingestConcurrency = Math.ceil((ingestRequestsPerSecond * ingest.msPerRequest) / 1_000);
  const aggregatorBusyShare = (batchesPerShardPerSecond * aggregatorMsPerBatch) / 1_000;
  const gbSecondsPerSecond =
    (ingestRequestsPerSecond * ingest.msPerRequest * input.memoryMb.ingest + batchesPerSecond * (aggregatorMsPerBatch * input.memoryMb.aggregator + archiveMsPerBatch * input.memoryMb.archive)) / 1_000 / 1_024;
  const changesGbSecondsPerSecond = (changesMsPerSecond * input.memoryMb.changes) / 1_000 / 1_024;
  const lambdaRequestsPerSecond = ingestRequestsPerSecond + 2 * batchesPerSecond;
  const changesInvocationsPerSecond = units.changes ? changesPerSecond / input.changesBatchSize : 0;

  const monthlyCost = costOf(prices, {
    apiRequestsPerSecond: ingestRequestsPerSecond,
    shards,
    putPayloadUnitsPerSecond,
    lambdaRequestsPerSecond: lambdaRequestsPerSecond + changesInvocationsPerSecond,
    gbSecondsPerSecond: gbSecondsPerSecond + changesGbSecondsPerSecond,
    writeUnitsPerSecond: aggregatorWriteUnitsPerSecond + archiveWriteUnitsPerSecond + changesWriteUnitsPerSecond,
    readUnitsPerSecond: aggregatorReadUnitsPerSecond + changesReadUnitsPerSecond,
  });

  // The alternative: one record per event, one write per event and metric (1 WRU each: an item under 1 KB); no windows to publish.
  const naiveShards = Math.max(1, Math.ceil(shardsFor(bytesPerSecond, rate)));
  const perEventWrites = costOf(prices, {
    apiRequestsPerSecond: ingestRequestsPerSecond,
    shards: naiveShards,
    putPayloadUnitsPerSecond: rate * Math.ceil(bytesPerEvent / prices.kinesis.putPayloadUnitBytes),
    lambdaRequestsPerSecond,
    gbSecondsPerSecond,
    writeUnitsPerSecond: rate * input.metrics + archiveWriteUnitsPerSecond,
    readUnitsPerSecond: 0,
  });

  const warnings: string[] = [];
  if (hotWindowWriteUnitsPerSecond > PARTITION_LIMITS.writeUnitsPerSecond) {
    warnings.push(
      `hot partition: one group's open window takes ${round(hotWindowWriteUnitsPerSecond)} WCU/s (${shards} shards write it each batch), above one partition's ${PARTITION_LIMITS.writeUnitsPerSecond.toLocaleString('en-US')} WCU/s: DynamoDB throttles it`,
    );
  }
  if (watermarkWriteUnitsPerSecond > PARTITION_LIMITS.writeUnitsPerSecond || watermarkReadUnitsPerSecond > PARTITION_LIMITS.readUnitsPerSecond) {
    warnings.push(
      `hot partition: the watermark partition takes ${round(watermarkWriteUnitsPerSecond)} WCU/s and ${round(watermarkReadUnitsPerSecond)} RCU/s, above one partition's ${PARTITION_LIMITS.writeUnitsPerSecond.toLocaleString('en-US')} WCU/s or ${PARTITION_LIMITS.readUnitsPerSecond.toLocaleString('en-US')} RCU/s`,
    );
  }
  if (aggregatorBusyShare > 1) {
    warnings.push(
      `the aggregator falls behind at the bench's batch time: a shard's batches take ${round(aggregatorBusyShare * 100)} % of each second (${round(aggregatorMsPerBatch)} ms per batch of ${round(eventsPerBatch)}, measured offline on DynamoDB Local); add shards or measure on AWS`,
    );
  }
  // One shard has no other consumer to race; from two on, what the bench saw at that many shards (or the next measured).
  const contention = shards > 1 ? contentionAt(aggregator.byShards, shards) : undefined;
  if (contention && contention.batchesCompleted < contention.batchesPlanned) {
    warnings.push(
      `contention: with ${contention.shards} shards on the same groups the bench completed ${contention.batchesCompleted} of ${contention.batchesPlanned} batches (${contention.failedBatches} failed on write races, the rest unfinished in its time budget); expect retries and iterator age at ${shards} shards`,
    );
  } else if (contention && contention.writeConflictsPerBatch >= 1) {
    warnings.push(`contention: with ${contention.shards} shards on the same groups the bench saw ${round(contention.writeConflictsPerBatch)} lost write races per batch`);
  }
  if (input.eventsPerRequest < ingest.eventsPerRequest || input.eventsPerRequest > ingest.eventsPerRequest) {
    warnings.push(`ingest units measured at ${ingest.eventsPerRequest} events per request (the nearest measured size not above ${input.eventsPerRequest})`);
  }

  return {
    input,
    ingestBasis: ingest,
    kinesis: { shards, shardsForThroughput, recordsPerSecond, bytesPerSecond, bytesPerRecord, putPayloadUnitsPerSecond },
    lambda: {
      ingestRequestsPerSecond,
      ingestConcurrency,
      aggregatorConcurrency: shards,
      archiveConcurrency: shards,
      eventsPerBatch,
      batchesPerSecond,
      aggregatorMsPerBatch,
      aggregatorBusyShare,
    },
    dynamodb: {
      aggregatorWriteUnitsPerSecond,
      aggregatorReadUnitsPerSecond,
      archiveWriteUnitsPerSecond,
      changesWriteUnitsPerSecond,
      changesReadUnitsPerSecond,
      writeUnitsPerSecond: aggregatorWriteUnitsPerSecond + archiveWriteUnitsPerSecond + changesWriteUnitsPerSecond,
      readUnitsPerSecond: aggregatorReadUnitsPerSecond + changesReadUnitsPerSecond,
      hotWindowWriteUnitsPerSecond,
      watermarkWriteUnitsPerSecond,
      watermarkReadUnitsPerSecond,
    },
    monthlyCost,
    compare: { perEventWrites, flinkFloor: prices.flink.minimumKpus * prices.flink.perKpuHour * prices.hoursPerMonth },
    warnings,
    notes: units.changes ? [] : ['the change publisher is not in units.json (measured before it was): its DynamoDB units and Lambda time are left out'],
  };
}

/** Shards for a write throughput at the target utilisation (not rounded). */
function shardsFor(bytesPerSecond: number, recordsPerSecond: number): number {
  return Math.max(bytesPerSecond / SHARD_LIMITS.bytesPerSecond, recordsPerSecond / SHARD_LIMITS.recordsPerSecond) / SHARD_TARGET_UTILISATION;
}

/**
 * The measured request size to plan with: the largest not above the one asked
 * for (records per event only fall as requests grow), else the smallest; of
 * those, the run on the most shards.
 */
function ingestBasis(runs: readonly IngestUnits[], eventsPerRequest: number): IngestUnits {
  if (runs.length === 0) throw new RangeError('units.json has no ingest runs');
  const sizes = [...new Set(runs.map((run) => run.eventsPerRequest))].sort((a, b) => a - b);
  const size = [...sizes].reverse().find((candidate) => candidate <= eventsPerRequest) ?? sizes[0]!;
  return runs.filter((run) => run.eventsPerRequest === size).sort((a, b) => b.shards - a.shards)[0]!;
}

/** The measured shard count closest to `shards` from above (else the largest): what contention it saw. */
function contentionAt<T extends { readonly shards: number }>(runs: readonly T[], shards: number): T | undefined {
  const sorted = [...runs].sort((a, b) => a.shards - b.shards);
  return sorted.find((run) => run.shards >= shards) ?? sorted.at(-1);
}

function costOf(
  prices: ListPrices,
  usage: {
    apiRequestsPerSecond: number;
    shards: number;
    putPayloadUnitsPerSecond: number;
    lambdaRequestsPerSecond: number;
    gbSecondsPerSecond: number;
    writeUnitsPerSecond: number;
    readUnitsPerSecond: number;
  },
): MonthlyCost {
  const seconds = prices.hoursPerMonth * 3_600;
  const perMonth = (perSecond: number, pricePerMillion: number) => (perSecond * seconds * pricePerMillion) / 1e6;
  const apiGateway = perMonth(usage.apiRequestsPerSecond, prices.apiGateway.restPerMillionRequests);
  const kinesis = usage.shards * prices.kinesis.perShardHour * prices.hoursPerMonth + perMonth(usage.putPayloadUnitsPerSecond, prices.kinesis.perMillionPutPayloadUnits);
  const lambda = perMonth(usage.lambdaRequestsPerSecond, prices.lambda.perMillionRequests) + usage.gbSecondsPerSecond * seconds * prices.lambda.perGbSecond;
  const dynamodb = perMonth(usage.writeUnitsPerSecond, prices.dynamodb.perMillionWriteRequestUnits) + perMonth(usage.readUnitsPerSecond, prices.dynamodb.perMillionReadRequestUnits);
  return { apiGateway, kinesis, lambda, dynamodb, total: apiGateway + kinesis + lambda + dynamodb };
}

function round(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toPrecision(3)));
}
