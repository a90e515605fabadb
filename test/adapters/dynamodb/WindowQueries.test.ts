import { describe, expect, it } from 'vitest';
import type { DocumentReads } from '../../../adapters/dynamodb/DocumentReads';
import { WindowQueries } from '../../../adapters/dynamodb/WindowQueries';
import { RetryStats } from '../../../adapters/aws/RetryStats';
import { RetriesExhaustedError } from '../../../core/errors';
import { RETRY_POLICY } from '../../../core/retry/retryPolicy';

type Item = Record<string, unknown>;
const T = Date.UTC(2026, 0, 1, 12, 0);
const keyOf = (item: Item) => JSON.stringify([item.pk, item.windowStart]);
const watermark: Item = { pk: '~watermark', windowStart: -1, watermarks: { orders: T + 90_000 } };
const window = (startMs: number): Item => ({ pk: 'orders#eu', windowStart: startMs, metric: 'orders', group: 'eu', windowEnd: startMs + 60_000, eventCount: 2, values: { n: 2 }, version: 3, src: {} });

/** Answers each BatchGetItem with at most `perAnswer` of the keys asked for, the rest unprocessed; records the keys of every request. */
function throttledReads(items: readonly Item[], perAnswer: number): DocumentReads & { requests: number[] } {
  const byKey = new Map(items.map((item) => [keyOf(item), item]));
  const requests: number[] = [];
  const batchGet = async (input: { RequestItems: Record<string, { Keys: Item[] }> }) => {
    const [[table, { Keys }]] = Object.entries(input.RequestItems) as [[string, { Keys: Item[] }]];
    requests.push(Keys.length);
    const answered = Keys.slice(0, perAnswer);
    const rest = Keys.slice(perAnswer);
    return {
      Responses: { [table]: answered.map((key) => byKey.get(keyOf(key))).filter((item): item is Item => item !== undefined) },
      UnprocessedKeys: rest.length > 0 ? { [table]: { Keys: rest } } : {},
      $metadata: {},
    };
  };
  return { requests, batchGet: batchGet as never, get: (async () => ({ $metadata: {} })) as never, query: (async () => ({ Items: [], $metadata: {} })) as never };
}

/** Sleeps that only advance a fake clock, and record what they were asked for. */
function fakeTime() {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    clock: { now: () => nowMs, random: () => 0.999_999 },
    sleep: async (ms: number) => {
      sleeps.push(Math.round(ms));
      nowMs += ms;
    },
    sleeps,
  };
}

describe('Class: WindowQueries', () => {
  it('asks again for the keys a BatchGetItem left unprocessed, under the retry policy, and answers every window with the watermark', async () => {
    // Prepare: three windows and the watermark; each answer serves two keys.
    const reads = throttledReads([watermark, window(T), window(T + 60_000), window(T + 120_000)], 2);
    const time = fakeTime();
    const stats = new RetryStats({ debug: () => {} });
    const queries = new WindowQueries(reads, 'aggregates', { clock: time.clock, sleep: time.sleep, stats });

    // Act
    const result = await queries.getWindowsWithWatermark([0, 60_000, 120_000, 180_000].map((offset) => ({ metric: 'orders', group: 'eu', startMs: T + offset })));

    // Assess: the policy's capped, growing waits (50 ms, 100 ms), and only what was left each time.
    expect(reads.requests).toEqual([5, 3, 1]);
    expect(time.sleeps).toEqual([50, 100]);
    expect(stats.take()).toBe(2);
    expect(result).toEqual({
      windows: [
        { metric: 'orders', group: 'eu', startMs: T, endMs: T + 60_000, eventCount: 2, values: { n: 2 }, lateEventCount: 0 },
        { metric: 'orders', group: 'eu', startMs: T + 60_000, endMs: T + 120_000, eventCount: 2, values: { n: 2 }, lateEventCount: 0 },
        { metric: 'orders', group: 'eu', startMs: T + 120_000, endMs: T + 180_000, eventCount: 2, values: { n: 2 }, lateEventCount: 0 },
        undefined,
      ],
      watermarkMs: { orders: T + 90_000 },
    });
  });

  it('throws RetriesExhaustedError when keys are still unprocessed after the last attempt', async () => {
    // Prepare: every answer leaves everything unprocessed.
    const reads = throttledReads([watermark, window(T)], 0);
    const time = fakeTime();
    const queries = new WindowQueries(reads, 'aggregates', { clock: time.clock, sleep: time.sleep, stats: new RetryStats({ debug: () => {} }) });

    // Act
    const error = await queries.getWindowsWithWatermark([{ metric: 'orders', group: 'eu', startMs: T }]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(/^BatchGetItem aggregates: 2 item\(s\) still unprocessed after 8 attempts in \d+ ms$/);
    expect(reads.requests).toHaveLength(RETRY_POLICY.maxAttempts);
  });
});
