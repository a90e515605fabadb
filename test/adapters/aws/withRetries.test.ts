import { describe, expect, it } from 'vitest';
import { RETRY_POLICY, markRetriesSpent } from '../../../core/retry/retryPolicy';
import { RetryStats } from '../../../adapters/aws/RetryStats';
import { withRetries } from '../../../adapters/aws/withRetries';
import { RetriesExhaustedError } from '../../../core/errors';

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });

/** Sleeps that only advance a fake clock, and record what they were asked for. */
function fakeTime(random = 0.999_999) {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    clock: { now: () => nowMs, random: () => random },
    sleep: async (ms: number) => {
      sleeps.push(Math.round(ms));
      nowMs += ms;
    },
    sleeps,
    advance: (ms: number) => (nowMs += ms),
  };
}

describe('Function: withRetries', () => {
  it('retries a throttled operation with capped, growing waits until it succeeds', async () => {
    // Prepare
    const time = fakeTime();
    const stats = new RetryStats({ debug: () => {} });
    let calls = 0;

    // Act
    const result = await withRetries(
      async (attempt) => {
        calls += 1;
        if (attempt < 4) throw throttled();
        return `done on attempt ${attempt}`;
      },
      { what: 'GetItem windows', clock: time.clock, sleep: time.sleep, stats },
    );

    // Assess
    expect(result).toBe('done on attempt 4');
    expect(calls).toBe(4);
    expect(time.sleeps).toEqual([50, 100, 200]);
    expect(stats.take()).toBe(3);
  });

  it('stops after 8 attempts and rethrows the last error, marked so no outer loop retries it', async () => {
    // Prepare
    const time = fakeTime(0);
    let calls = 0;

    // Act
    const error = await withRetries(
      async () => {
        calls += 1;
        throw throttled();
      },
      { what: 'GetItem windows', clock: time.clock, sleep: time.sleep },
    ).catch((e: unknown) => e);
    let outerCalls = 0;
    await withRetries(
      async () => {
        outerCalls += 1;
        throw error;
      },
      { what: 'outer', clock: time.clock, sleep: time.sleep },
    ).catch(() => undefined);

    // Assess
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(calls).toBe(RETRY_POLICY.maxAttempts);
    expect(outerCalls).toBe(1);
  });

  it.each([
    ['ValidationException', Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } })],
    ['ConditionalCheckFailedException', Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } })],
  ])('rethrows %s at once', async (_name, failure) => {
    let calls = 0;

    const error = await withRetries(
      async () => {
        calls += 1;
        throw failure;
      },
      { what: 'PutItem windows', sleep: async () => {} },
    ).catch((e: unknown) => e);

    expect(error).toBe(failure);
    expect(calls).toBe(1);
  });

  it('does not retry an error a client already spent the policy on', async () => {
    let calls = 0;
    const spent = throttled();
    markRetriesSpent(spent);

    const error = await withRetries(
      async () => {
        calls += 1;
        throw spent;
      },
      { what: 'BatchGetItem windows', sleep: async () => {} },
    ).catch((e: unknown) => e);

    expect(error).toBe(spent);
    expect(calls).toBe(1);
  });

  it('asks again for what an answer left unprocessed, then throws RetriesExhaustedError naming what is left', async () => {
    // Prepare: each answer processes one key of ten.
    const time = fakeTime(0);
    let left = 10;

    // Act
    const error = await withRetries(
      async () => {
        left -= 1;
        return left;
      },
      { what: 'BatchGetItem windows', leftOver: (remaining) => remaining, clock: time.clock, sleep: time.sleep },
    ).catch((e: unknown) => e);
    left = 3;
    const finished = await withRetries(
      async () => {
        left -= 1;
        return left;
      },
      { what: 'BatchGetItem windows', leftOver: (remaining) => remaining, clock: time.clock, sleep: time.sleep, policy: { ...RETRY_POLICY, maxAttempts: 3 } },
    );

    // Assess
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toBe('BatchGetItem windows: 2 item(s) still unprocessed after 8 attempts in 0 ms');
    expect(finished).toBe(0);
  });

  it('gives up when the next wait would end past the time budget', async () => {
    // Prepare: every attempt takes 4 s.
    const time = fakeTime();
    let calls = 0;

    // Act
    const error = await withRetries(
      async () => {
        calls += 1;
        time.advance(4_000);
        throw throttled();
      },
      { what: 'Query windows', clock: time.clock, sleep: time.sleep },
    ).catch((e: unknown) => e);

    // Assess: failures at 4 s and 8.05 s are retried; after the third (12.15 s) no wait fits the 10 s.
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(calls).toBe(3);
    expect(time.sleeps).toEqual([50, 100]);
  });
});
