import { emptyDeliveryStats, type DeliveryStats } from './deliverBatch';

/** Running counters of one event source mapping, shown in the status line and read by tests. */
export interface MappingStats extends DeliveryStats {
  batches: number;
  /** How far behind the shard tip the slowest shard was at its last read (GetRecords MillisBehindLatest). */
  millisBehindLatest: number;
  /** Shard pollers restarted from their checkpoint after an error. */
  pollerRestarts: number;
}

export function emptyMappingStats(): MappingStats {
  return { ...emptyDeliveryStats(), batches: 0, millisBehindLatest: 0, pollerRestarts: 0 };
}

/** Adds one delivery's counters to the running totals. */
export function addDelivery(stats: MappingStats, delivery: DeliveryStats): void {
  for (const key of Object.keys(delivery) as (keyof DeliveryStats)[]) stats[key] += delivery[key];
}
