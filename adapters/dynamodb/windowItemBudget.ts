/**
 * How big a window item may grow, in DynamoDB's item bytes (`itemBytes`).
 *
 * A fixed window keeps one partial per shard that wrote it (decision 0013); a
 * dense HLL partial is 16 KB and a DDSketch up to ~16 KB, so a hot group written
 * by a few dozen shards would pass DynamoDB's item limit, and DynamoDB refuses
 * that write as invalid. Before it does, the writer compacts the item: it folds
 * every partial's content into the top-level content and keeps only the
 * partials' marks (decision 0016).
 *
 * - `limitBytes`: DynamoDB's limit, 400 KB (names and values, UTF-8).
 * - `compactAboveBytes`: a write whose item would be larger is a compaction
 *   instead. 300 KB leaves 100 KB of margin for what the estimate cannot see:
 *   partials other shards wrote since the writer read the item (up to ~32 KB
 *   each, a handful in flight at once) and the approximation of number sizes.
 *   The budget trades contention for bytes: a compaction is conditioned on the
 *   item's version, so it races every shard writing the window (as all writes
 *   did before 0013), and a high budget keeps compactions rare (a dense
 *   `distinct` window compacts once per ~18 partial writes, `npm run bench:hot`);
 *   but every partial write is billed on the whole item (1 WCU per KB), so a
 *   lower budget would make the average write cheaper. A compaction costs one
 *   consistent read of the item (≤ 75 RCU at 300 KB) and one write billed on it
 *   (≤ 300 WCU).
 */
export const WINDOW_ITEM_BUDGET = { limitBytes: 400 * 1024, compactAboveBytes: 300 * 1024 } as const;

/** Whether a window write whose item would be `estimatedBytes` compacts the item's partials instead (above `compactAboveBytes`). */
export function shouldCompact(estimatedBytes: number, compactAboveBytes: number = WINDOW_ITEM_BUDGET.compactAboveBytes): boolean {
  return estimatedBytes > compactAboveBytes;
}

/**
 * DynamoDB refused a write because the item would pass its size limit: a
 * ValidationException whose message says so ("Item size has exceeded the
 * maximum allowed size", "Item size to update has exceeded the maximum allowed size").
 */
export function isItemTooLargeError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /item size .*exceeded the maximum allowed size/i.test(error.message);
}
