import { beginBatch, NO_DELIVERY, type DeliveryState } from '../delivery/DeliveryState';
import type { DuplicateLedger } from '../ports/DuplicateLedger';
import type { WatermarkSnapshot } from '../ports/ShardProgress';
import type { WindowStore } from '../ports/WindowStore';
import type { AggregationMode } from './AggregationMode';
import type { Deduplicated } from './dropDuplicates';

/**
 * Before any window is touched, a live batch writes its range to the shard's
 * progress (one PutItem): what lets the next batch see that records were
 * started and never completed (abandoned to the DLQ), and freeze the windows'
 * marks for them. The batch's ledger entries go first too, so a batch
 * abandoned halfway still keeps later duplicates of what it took out. Repairs
 * only read the state. Returns the shard's delivery state the batch runs under.
 */
export async function announceBatch(
  store: WindowStore,
  ledger: DuplicateLedger | undefined,
  shardId: string,
  snapshot: WatermarkSnapshot,
  mode: AggregationMode,
  deduplicated: Deduplicated,
  nowMs: number,
): Promise<DeliveryState> {
  const stored = snapshot.shards.get(shardId);
  const delivery = stored?.delivery ?? NO_DELIVERY;
  const ledgerWrite = ledger && deduplicated.entries.length > 0 ? ledger.write(deduplicated.entries, nowMs) : undefined;
  if (!mode.announcedRange) {
    await ledgerWrite;
    return delivery;
  }
  const announced = beginBatch(delivery, mode.announcedRange, nowMs);
  const progress = { shardId, maxEventTimeMs: stored?.maxEventTimeMs ?? {}, activeAtMs: stored?.activeAtMs ?? {}, delivery: announced };
  await Promise.all([store.writeShardProgress(progress, nowMs), ledgerWrite]);
  return announced;
}
