import { describe, expect, it } from 'vitest';
import { aggregationModeOf } from '../../../core/aggregator/AggregationMode';
import { NO_DELIVERY } from '../../../core/delivery/DeliveryState';
import { NO_MARKS } from '../../../core/delivery/SourceMarks';
import { InMemoryCompletionLog } from '../../../core/ports/inMemory/InMemoryCompletionLog';
import { envelopeFactory } from '../../support/factories';

const SHARD = 'shardId-000000000000';
const events = ['7', '9'].map((sequenceNumber) => ({ event: envelopeFactory(), sequenceNumber }));
const decisions = (mode: ReturnType<typeof aggregationModeOf>) => ({
  announcedRange: mode.announcedRange,
  ledgerRange: mode.ledgerRange,
  judgesLateness: mode.judgesLateness,
  repairsFinalWindows: mode.repairsFinalWindows,
  movesWatermarks: mode.movesWatermarks,
});

describe('Function: aggregationModeOf', () => {
  it('lets a live batch announce its range (by default its events’ first and last), judge lateness and move watermarks', () => {
    expect(decisions(aggregationModeOf({ kind: 'live' }, SHARD, events))).toEqual({
      announcedRange: { shardId: SHARD, first: '7', last: '9' },
      ledgerRange: { shardId: SHARD, first: '7', last: '9' },
      judgesLateness: true,
      repairsFinalWindows: false,
      movesWatermarks: true,
    });
  });

  it('keeps the range a live batch was delivered with (every record, not only the decodable ones)', () => {
    const range = { shardId: SHARD, first: '5', last: '11' };

    expect(aggregationModeOf({ kind: 'live', range }, SHARD, events).announcedRange).toBe(range);
  });

  it('announces nothing for an empty live batch without a range, but still moves watermarks', () => {
    expect(decisions(aggregationModeOf({ kind: 'live' }, SHARD, []))).toMatchObject({ announcedRange: undefined, ledgerRange: undefined, movesWatermarks: true });
  });

  it('makes a redrive a repair judged against its on-failure range: never late, final windows repaired, watermarks untouched', () => {
    const range = { shardId: SHARD, first: '7', last: '9' };

    expect(decisions(aggregationModeOf({ kind: 'redrive', range }, SHARD, events))).toEqual({
      announcedRange: undefined,
      ledgerRange: range,
      judgesLateness: false,
      repairsFinalWindows: true,
      movesWatermarks: false,
    });
  });

  it('makes a replay a repair with no range of its own', () => {
    expect(decisions(aggregationModeOf({ kind: 'replay' }, SHARD, events))).toEqual({
      announcedRange: undefined,
      ledgerRange: undefined,
      judgesLateness: false,
      repairsFinalWindows: true,
      movesWatermarks: false,
    });
  });

  it('gives a redrive whose range a completed live batch covered a filter that takes nothing, and one that no batch started a filter that takes it all', async () => {
    // Prepare
    const range = { shardId: SHARD, first: '7', last: '9' };
    const completions = new InMemoryCompletionLog();
    const redrive = aggregationModeOf({ kind: 'redrive', range }, SHARD, events);
    const unstarted = await redrive.filterFor(SHARD, NO_DELIVERY, completions);
    await completions.recordCompleted({ shardId: SHARD, first: '1', last: '20' });

    // Act
    const completed = await redrive.filterFor(SHARD, NO_DELIVERY, completions);

    // Assess
    expect(['7', '9', '10'].map((n) => unstarted.accepts(NO_MARKS, n))).toEqual([true, true, false]);
    expect(['7', '9'].map((n) => completed.accepts(NO_MARKS, n))).toEqual([false, false]);
  });

  it('gives live batches and replays the filter that skips what a window already holds from the shard', async () => {
    const marks = { ...NO_MARKS, applied: { [SHARD]: '8' } };

    for (const mode of [aggregationModeOf({ kind: 'live' }, SHARD, events), aggregationModeOf({ kind: 'replay' }, SHARD, events)]) {
      const filter = await mode.filterFor(SHARD, NO_DELIVERY, new InMemoryCompletionLog());
      expect(['7', '8', '9'].map((n) => filter.accepts(marks, n))).toEqual([false, false, true]);
    }
  });
});
