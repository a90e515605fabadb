import { describe, expect, it } from 'vitest';
import type { ListPrices } from '../../../core/planning/listPrices';
import { planCapacity, type PlanInput } from '../../../core/planning/planCapacity';
import type { UnitCounts } from '../../../core/planning/UnitCounts';

const SOURCE = { bench: 'npm run bench:units', commit: 'abc1234', measuredAt: '2026-12-03T12:00:00.000Z', machine: 'test' };

/** Round numbers, so every expectation below is worked out by hand. */
const UNITS: UnitCounts = {
  source: SOURCE,
  ingest: {
    source: SOURCE,
    eventBytes: 300,
    runs: [
      { eventsPerRequest: 1, shards: 8, recordsPerEvent: 1, bytesPerRecord: 400, overheadBytesPerEvent: 100, putRecordsPerRequest: 1, msPerRequest: 10 },
      { eventsPerRequest: 100, shards: 2, recordsPerEvent: 1, bytesPerRecord: 400, overheadBytesPerEvent: 100, putRecordsPerRequest: 1, msPerRequest: 20 },
      // Aggregated: two events per record. The planner takes the run on the most shards.
      { eventsPerRequest: 100, shards: 8, recordsPerEvent: 0.5, bytesPerRecord: 800, overheadBytesPerEvent: 100, putRecordsPerRequest: 1, msPerRequest: 25 },
    ],
  },
  aggregator: {
    source: SOURCE,
    batchRecords: 100,
    shards: 2,
    metricCount: 3,
    fixedWriteUnitsPerBatch: 5,
    fixedReadUnitsPerBatch: 4,
    writeUnitsPerWindowWrite: 2,
    readUnitsPerWindowWrite: 1,
    windowWritesPerGroupTouched: 1.5,
    watermarkWriteUnitsPerBatch: 2,
    watermarkReadUnitsPerBatch: 2,
    msPerBatch: 100,
    msPer1000Events: 1_000,
    byShards: [
      { shards: 2, writeUnitsPerBatch: 50, readUnitsPerBatch: 20, writeConflictsPerBatch: 0.5, batchesPlanned: 4, batchesCompleted: 4, failedBatches: 0 },
      { shards: 64, writeUnitsPerBatch: 5, readUnitsPerBatch: 5, writeConflictsPerBatch: 0, batchesPlanned: 128, batchesCompleted: 100, failedBatches: 10 },
    ],
    // msPerBatch above is a contended run's: the plan scales this fit instead.
    batchTime: { metrics: 'example config', shards: 1, intervalMs: 1_000, shapes: [], fixedMs: 50, msPerEvent: 0.72, msPerWindowWrite: 0.2 },
  },
  archive: { source: SOURCE, batchRecords: 100, eventsPerRecord: 1, writeUnitsPerEvent: 2, itemBytes: 300, msPerBatch: 50 },
};

/** 1,000-hour months (3.6 million seconds) and prices of 1 per million, so costs are units × 3.6. */
const PRICES: ListPrices = {
  asOf: '2026-12-03',
  region: 'test-1',
  apiGateway: { restPerMillionRequests: 1 },
  kinesis: { perShardHour: 0.01, perMillionPutPayloadUnits: 1, putPayloadUnitBytes: 25_600 },
  lambda: { perMillionRequests: 1, perGbSecond: 0.00001 },
  dynamodb: { perMillionWriteRequestUnits: 1, perMillionReadRequestUnits: 0.5 },
  flink: { perKpuHour: 0.1, minimumKpus: 2 },
  hoursPerMonth: 1_000,
};

const INPUT: PlanInput = {
  eventsPerSecond: 10_000,
  eventBytes: 300,
  eventsPerRequest: 100,
  groupsPerMetric: 100,
  metrics: 3,
  // In Kinesis records: at 100 events per request a record holds 2 events (recordsPerEvent 0.5), so 500 events.
  batchSize: 250,
  memoryMb: { ingest: 1_024, aggregator: 1_024, archive: 512, changes: 1_024 },
  changesBatchSize: 100,
};

describe('planCapacity', () => {
  it('sizes shards from the larger of bytes and records per second at 80 % of a shard', () => {
    const plan = planCapacity(INPUT, UNITS, PRICES);
    // 400 bytes per event (300 + 100 overhead), half a record per event at 100 per request on 8 shards.
    expect(plan.ingestBasis).toEqual(UNITS.ingest.runs[2]);
    expect(plan.kinesis).toEqual({ shards: 7, shardsForThroughput: 6.25, recordsPerSecond: 5_000, bytesPerSecond: 4_000_000, bytesPerRecord: 800, putPayloadUnitsPerSecond: 5_000 });
  });

  it('counts one consumer per shard, full batches at this rate, and ingest concurrency from requests × ms', () => {
    const { lambda } = planCapacity(INPUT, UNITS, PRICES);
    expect(lambda.aggregatorConcurrency).toBe(7);
    expect(lambda.archiveConcurrency).toBe(7);
    expect(lambda.eventsPerBatch).toBe(500);
    expect(lambda.batchesPerSecond).toBeCloseTo(20, 10);
    expect(lambda.ingestRequestsPerSecond).toBe(100);
    expect(lambda.ingestConcurrency).toBe(3);
    // 50 ms + 500 events × 0.72 ms + 450 window writes (3 metrics × 100 groups × 1.5) × 0.2 ms.
    expect(lambda.aggregatorMsPerBatch).toBeCloseTo(500, 10);
    expect(lambda.aggregatorBusyShare).toBeCloseTo(10 / 7, 10);
  });

  it('computes DynamoDB units from fixed units per batch plus the windows of every group touched', () => {
    const { dynamodb } = planCapacity(INPUT, UNITS, PRICES);
    // 20 batches/s × (5 + 3 metrics × 100 groups × 1.5 windows × 2 WCU); the archive 2 WCU × 10,000 events.
    expect(dynamodb.aggregatorWriteUnitsPerSecond).toBeCloseTo(18_100, 6);
    expect(dynamodb.aggregatorReadUnitsPerSecond).toBeCloseTo(9_080, 6);
    expect(dynamodb.archiveWriteUnitsPerSecond).toBe(20_000);
    expect(dynamodb.hotWindowWriteUnitsPerSecond).toBeCloseTo(60, 6);
    expect(dynamodb.watermarkWriteUnitsPerSecond).toBeCloseTo(40, 6);
    expect(dynamodb.watermarkReadUnitsPerSecond).toBeCloseTo(40, 6);
  });

  it('prices every component per month, beside per-event writes and the Flink floor', () => {
    const plan = planCapacity(INPUT, UNITS, PRICES);
    const cost = plan.monthlyCost;
    expect(cost.apiGateway).toBeCloseTo(360, 6);
    expect(cost.kinesis).toBeCloseTo(70 + 18_000, 6);
    expect(cost.lambda).toBeCloseTo(504 + 540, 6);
    expect(cost.dynamodb).toBeCloseTo(137_160 + 16_344, 6);
    expect(cost.total).toBeCloseTo(172_978, 6);
    // One record per event: 13 shards, 10,000 PUT units/s; 3 writes per event plus the archive.
    expect(plan.compare.perEventWrites.kinesis).toBeCloseTo(130 + 36_000, 6);
    expect(plan.compare.perEventWrites.dynamodb).toBeCloseTo(180_000, 6);
    expect(plan.compare.perEventWrites.total).toBeCloseTo(217_534, 6);
    expect(plan.compare.flinkFloor).toBeCloseTo(200, 10);
  });

  it('warns when a shard falls behind and when the bench saw batches fail at that many shards', () => {
    const { warnings } = planCapacity(INPUT, UNITS, PRICES);
    expect(warnings).toEqual([
      "the aggregator falls behind at the bench's batch time: a shard's batches take 143 % of each second (500 ms per batch of 500, measured offline on DynamoDB Local); add shards or measure on AWS",
      'contention: with 64 shards on the same groups the bench completed 100 of 128 batches (10 failed on write races, the rest unfinished in its time budget); expect retries and iterator age at 7 shards',
    ]);
  });

  it("scales a batch's time by its events and by its window writes apart: fewer groups, fewer writes, a shorter batch", () => {
    const { lambda } = planCapacity({ ...INPUT, groupsPerMetric: 5 }, UNITS, PRICES);
    // 50 ms + 500 × 0.72 ms + 3 metrics × 5 groups × 1.5 windows × 0.2 ms.
    expect(lambda.aggregatorMsPerBatch).toBeCloseTo(414.5, 10);
  });

  it('counts the batch size in Kinesis records: aggregated records hold several events each', () => {
    const { lambda } = planCapacity({ ...INPUT, batchSize: 500 }, UNITS, PRICES);
    // 10,000 events/s on 7 shards is 1,429 a shard per poll; 500 records of 2 events each cap it at 1,000.
    expect(lambda.eventsPerBatch).toBe(1_000);
    expect(lambda.batchesPerSecond).toBeCloseTo(10, 10);
  });

  it('plans a trickle with one shard, a second of events per batch, and no warning', () => {
    const plan = planCapacity({ ...INPUT, eventsPerSecond: 100, eventsPerRequest: 1 }, UNITS, PRICES);
    expect(plan.kinesis.shards).toBe(1);
    expect(plan.lambda.eventsPerBatch).toBe(100);
    expect(plan.lambda.batchesPerSecond).toBe(1);
    expect(plan.lambda.ingestConcurrency).toBe(1);
    expect(plan.monthlyCost.apiGateway).toBeCloseTo(360, 6);
    expect(plan.warnings).toEqual([]);
  });

  it('takes the largest measured request size not above the one asked for, and says so', () => {
    const plan = planCapacity({ ...INPUT, eventsPerSecond: 100, eventsPerRequest: 50 }, UNITS, PRICES);
    expect(plan.ingestBasis.eventsPerRequest).toBe(1);
    expect(plan.warnings).toContain('ingest units measured at 1 events per request (the nearest measured size not above 50)');
  });

  it('warns of a hot window partition when every shard writes one group above 1,000 WCU/s', () => {
    const heavy = { ...UNITS, aggregator: { ...UNITS.aggregator, writeUnitsPerWindowWrite: 20 } };
    const plan = planCapacity({ ...INPUT, shards: 64 }, heavy, PRICES);
    expect(plan.kinesis.shards).toBe(64);
    // 64 shards × 1 batch/s × 1.5 windows × 20 WCU.
    expect(plan.dynamodb.hotWindowWriteUnitsPerSecond).toBeCloseTo(1_920, 6);
    expect(plan.warnings[0]).toBe("hot partition: one group's open window takes 1,920 WCU/s (64 shards write it each batch), above one partition's 1,000 WCU/s: DynamoDB throttles it");
  });

  it('repeats the lost races the bench saw from two shards on, never for one shard (no other consumer to race)', () => {
    const racy = { ...UNITS, aggregator: { ...UNITS.aggregator, byShards: [{ ...UNITS.aggregator.byShards[0]!, writeConflictsPerBatch: 5 }] } };
    expect(planCapacity({ ...INPUT, eventsPerSecond: 100, eventsPerRequest: 1 }, racy, PRICES).warnings).toEqual([]);
    expect(planCapacity({ ...INPUT, eventsPerSecond: 100, eventsPerRequest: 1, shards: 2 }, racy, PRICES).warnings).toEqual([
      'contention: with 2 shards on the same groups the bench saw 5 lost write races per batch',
    ]);
  });

  it('counts the change publisher once units.json measured it: one change per window written, and says when it did not', () => {
    const without = planCapacity(INPUT, UNITS, PRICES);
    expect(without.notes).toEqual(['the change publisher is not in units.json (measured before it was): its DynamoDB units and Lambda time are left out']);
    const withChanges = planCapacity(INPUT, { ...UNITS, changes: { source: SOURCE, writeUnitsPerChange: 2, readUnitsPerChange: 0.5, msPerChange: 10 } }, PRICES);
    expect(withChanges.notes).toEqual([]);
    // 20 batches/s × 450 windows = 9,000 changes/s.
    expect(withChanges.dynamodb.changesWriteUnitsPerSecond).toBeCloseTo(18_000, 6);
    expect(withChanges.dynamodb.changesReadUnitsPerSecond).toBeCloseTo(4_500, 6);
    expect(withChanges.dynamodb.writeUnitsPerSecond).toBeCloseTo(18_100 + 20_000 + 18_000, 6);
    // DynamoDB: (18,000 + 4,500 × 0.5) × 3.6; Lambda: 90 invocations/s × 3.6 + 90 GB-s/s × 36.
    expect(withChanges.monthlyCost.dynamodb - without.monthlyCost.dynamodb).toBeCloseTo(72_900, 6);
    expect(withChanges.monthlyCost.lambda - without.monthlyCost.lambda).toBeCloseTo(324 + 3_240, 6);
    expect(withChanges.compare.perEventWrites).toEqual(without.compare.perEventWrites);
  });
});
