import type { DeliveryState } from './DeliveryState';
import { compareSequenceNumbers, inRange, maxSequenceNumber, type SequenceRange } from './sequenceNumbers';
import { frozenKey, type SourceMarks } from './SourceMarks';

/**
 * Decides which of a batch's events an item still needs, from the item's
 * marks, and what the marks become once the batch wrote it. Every window
 * write, session transaction and late-count update goes through one.
 */
export interface SourceFilter {
  /** True when the item does not hold the event yet. */
  accepts(marks: SourceMarks, sequenceNumber: string): boolean;
  /** The marks after applying events up to `lastSequenceNumber` (the largest this write applies to the item). */
  mark(marks: SourceMarks, lastSequenceNumber: string): SourceMarks;
}

/**
 * The stream consumer's (and the replay's) filter: skip what the item holds,
 * and the abandoned ranges, which belong to the redrive; freeze those ranges
 * before moving `applied` past them.
 */
export function liveFilter(shardId: string, delivery: DeliveryState): SourceFilter {
  const frozenKeys = Object.keys(delivery.abandoned).map((after) => frozenKey(shardId, after));
  const abandoned = Object.entries(delivery.abandoned).map(([after, range]) => ({ after: BigInt(after), through: BigInt(range.through) }));
  return {
    accepts: (marks, sequenceNumber) => {
      const applied = marks.applied[shardId];
      if (applied !== undefined && compareSequenceNumbers(sequenceNumber, applied) <= 0) return false;
      if (abandoned.length === 0) return true;
      const n = BigInt(sequenceNumber);
      return !abandoned.some((range) => n > range.after && n <= range.through);
    },
    mark: (marks, last) => {
      const before = marks.applied[shardId];
      let frozen = marks.frozen;
      for (const key of frozenKeys) {
        if (frozen[key] === undefined) frozen = { ...frozen, [key]: before ?? '' };
      }
      return { ...marks, frozen, applied: { ...marks.applied, [shardId]: maxSequenceNumber(before, last) } };
    },
  };
}

/**
 * The redrive's filter for one on-failure range, by what became of it:
 * - `{ abandonedAfter }`: inside an abandoned range. An item holds exactly the
 *   events up to its frozen mark or, if no later batch has written it, up to
 *   its applied mark.
 * - `completed`: a live batch covering it completed before the ESM gave up on
 *   it (a failure after the batch's last write): every item holds it all.
 * - `unstarted`: no batch ever announced these records, so no item holds any.
 */
export function redriveFilter(range: SequenceRange, fate: { readonly abandonedAfter: string } | 'completed' | 'unstarted'): SourceFilter {
  if (fate === 'completed') return { accepts: () => false, mark: (marks) => marks };
  const abandonedAfter = fate === 'unstarted' ? undefined : fate.abandonedAfter;
  const doneKey = `${range.shardId}~${range.first}~${range.last}`;
  const frozen = abandonedAfter === undefined ? undefined : frozenKey(range.shardId, abandonedAfter);
  return {
    accepts: (marks, sequenceNumber) => {
      if (marks.redriven[doneKey] !== undefined || !inRange(range, sequenceNumber)) return false;
      if (frozen === undefined) return true;
      const held = marks.frozen[frozen] ?? marks.applied[range.shardId] ?? '';
      return held === '' || compareSequenceNumbers(sequenceNumber, held) > 0;
    },
    mark: (marks) => ({
      ...marks,
      // Freeze too, as the next live batch would: `applied` must keep meaning the same thing.
      frozen: frozen === undefined || marks.frozen[frozen] !== undefined ? marks.frozen : { ...marks.frozen, [frozen]: marks.applied[range.shardId] ?? '' },
      redriven: { ...marks.redriven, [doneKey]: 1 },
    }),
  };
}
