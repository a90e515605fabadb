import { abandonedRangeOf } from '../delivery/abandonedRangeOf';
import type { DeliveryState } from '../delivery/DeliveryState';
import type { SequenceRange } from '../delivery/sequenceNumbers';
import { liveFilter, redriveFilter, type SourceFilter } from '../delivery/SourceFilter';
import type { CompletionLog } from '../ports/CompletionLog';
import type { SourcedEvent } from '../windowing/placeEvents';

/**
 * How a batch is applied, as callers name it.
 * - `live`: the stream consumer (the default), with its range: every record
 *   delivered (default: the events' first and last).
 * - `redrive`: records the ESM gave up on (an on-failure range), applied as if
 *   they had not failed.
 * - `replay`: records re-read from the stream; whatever a window already holds is skipped.
 */
export type BatchMode = { readonly kind: 'live'; readonly range?: SequenceRange } | { readonly kind: 'redrive'; readonly range: SequenceRange } | { readonly kind: 'replay' };

/**
 * What a batch mode lets the aggregator do; its steps ask these instead of
 * branching on the mode. Redrive and replay are repairs: their records were on
 * time when they first arrived, so they are never late, final windows take
 * them, and they never touch progress or watermarks.
 *
 *              announces, runs once,   duplicates judged     late?  final windows  progress and
 *              records completion      against               judged  take events   watermarks
 *   live       its range               its range             yes     no            moved
 *   redrive    –                       the on-failure range  no      yes           untouched
 *   replay     –                       each record's entry   no      yes           untouched
 */
export interface AggregationMode {
  readonly kind: BatchMode['kind'];
  /**
   * The live batch's range: written to the shard's progress before any window
   * (so a later batch can tell it was abandoned), run once per range
   * (`BatchIdempotency`), recorded as completed. Undefined for repairs and an empty live batch.
   */
  readonly announcedRange: SequenceRange | undefined;
  /**
   * The range producer duplicates are judged against, whose ledger entries the
   * batch writes. Undefined for a replay: each record is judged against the
   * entry that took it, and nothing is written.
   */
  readonly ledgerRange: SequenceRange | undefined;
  /** Events meet the watermark they arrived at and may be late; a repair's never are. */
  readonly judgesLateness: boolean;
  /** A window final since the watermark was read still takes the events (kept final); live sends them to the late output. */
  readonly repairsFinalWindows: boolean;
  /** Writes the shard's progress, advances the pipeline watermark and finalises the windows it passed. */
  readonly movesWatermarks: boolean;
  /** The filter every write of the batch goes through: which events an item still needs, and its marks after. */
  filterFor(shardId: string, delivery: DeliveryState, completions: CompletionLog): Promise<SourceFilter>;
}

/** The decisions of `mode` for a batch of `events` from `shardId`. */
export function aggregationModeOf(mode: BatchMode, shardId: string, events: readonly SourcedEvent[]): AggregationMode {
  if (mode.kind === 'redrive') return redriveMode(mode.range);
  if (mode.kind === 'replay') return REPLAY_MODE;
  const range = mode.range ?? (events.length > 0 ? { shardId, first: events[0]!.sequenceNumber, last: events[events.length - 1]!.sequenceNumber } : undefined);
  return { ...LIVE_DECISIONS, announcedRange: range, ledgerRange: range };
}

const LIVE_DECISIONS = {
  kind: 'live',
  judgesLateness: true,
  repairsFinalWindows: false,
  movesWatermarks: true,
  filterFor: async (shardId: string, delivery: DeliveryState) => liveFilter(shardId, delivery),
} as const;

const REPLAY_MODE: AggregationMode = {
  kind: 'replay',
  announcedRange: undefined,
  ledgerRange: undefined,
  judgesLateness: false,
  repairsFinalWindows: true,
  movesWatermarks: false,
  // The live filter skips what each window holds, which is all a replay must not count twice.
  filterFor: async (shardId, delivery) => liveFilter(shardId, delivery),
};

function redriveMode(range: SequenceRange): AggregationMode {
  return {
    kind: 'redrive',
    announcedRange: undefined,
    ledgerRange: range,
    judgesLateness: false,
    repairsFinalWindows: true,
    movesWatermarks: false,
    // What the windows hold of the range depends on what became of it.
    filterFor: async (_shardId, delivery, completions) => {
      const abandonedAfter = abandonedRangeOf(range, delivery);
      if (abandonedAfter !== undefined) return redriveFilter(range, { abandonedAfter });
      return redriveFilter(range, (await completions.isCompleted(range)) ? 'completed' : 'unstarted');
    },
  };
}
