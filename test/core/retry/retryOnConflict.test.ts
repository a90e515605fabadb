import { describe, expect, it } from 'vitest';
import { WriteConflictsExhaustedError } from '../../../core/errors';
import { LOST_RACE, retryOnConflict } from '../../../core/retry/retryOnConflict';
import { RetrySchedule } from '../../../core/retry/RetrySchedule';
import { WRITE_RACE_POLICY } from '../../../core/retry/retryPolicy';

/** No waiting: every jitter draw is 0. */
const instant = { now: () => 0, random: () => 0 };

describe('Function: retryOnConflict', () => {
  it('returns the first attempt’s result without waiting or counting a lost race', async () => {
    // Prepare
    const attempts: number[] = [];
    let lost = 0;

    // Act
    const result = await retryOnConflict('w', async (n) => (attempts.push(n), 'written'), { clock: instant, onLostRace: () => (lost += 1) });

    // Assess
    expect(result).toBe('written');
    expect(attempts).toEqual([1]);
    expect(lost).toBe(0);
  });

  it('re-runs the attempt after each lost race, numbering the attempts, until one lands', async () => {
    // Prepare
    const attempts: number[] = [];
    let lost = 0;

    // Act
    const result = await retryOnConflict('w', async (n) => (attempts.push(n), n < 3 ? LOST_RACE : n * 10), { clock: instant, onLostRace: () => (lost += 1) });

    // Assess
    expect(result).toBe(30);
    expect(attempts).toEqual([1, 2, 3]);
    expect(lost).toBe(2);
  });

  it('throws WriteConflictsExhaustedError naming the item once the policy’s attempts are spent', async () => {
    // Prepare
    let calls = 0;
    let lost = 0;

    // Act
    const failure = await retryOnConflict('orders#eu@0', async () => (calls++, LOST_RACE), { clock: instant, onLostRace: () => (lost += 1), policy: { ...WRITE_RACE_POLICY, maxAttempts: 4 } }).catch((error: unknown) => error);

    // Assess: 4 writes, 3 retries counted; the last loss is not retried, so not counted.
    expect(failure).toBeInstanceOf(WriteConflictsExhaustedError);
    expect(failure).toMatchObject({ what: 'orders#eu@0', attempts: 4, message: 'orders#eu@0 changed under 4 consecutive conditional writes' });
    expect(calls).toBe(4);
    expect(lost).toBe(3);
  });

  it('makes 12 attempts by default', async () => {
    let calls = 0;

    const failure = await retryOnConflict('pipeline watermark', async () => (calls++, LOST_RACE), { clock: instant }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: 'WriteConflictsExhaustedError', attempts: 12 });
    expect(calls).toBe(12);
  });

  it('passes an attempt’s error on without retrying it', async () => {
    let calls = 0;
    const boom = new Error('throttled');

    const failure = await retryOnConflict('w', async () => {
      calls += 1;
      throw boom;
    }, { clock: instant }).catch((error: unknown) => error);

    expect(failure).toBe(boom);
    expect(calls).toBe(1);
  });
});

describe('Constant: WRITE_RACE_POLICY', () => {
  it('waits up to 10 ms before the first retry, doubling to a 1 s cap, for 11 retries (full jitter: a draw of ½ waits half)', () => {
    // Prepare
    const schedule = new RetrySchedule(WRITE_RACE_POLICY, { now: () => 0, random: () => 0.5 });

    // Act
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 12; i++) delays.push(schedule.nextDelayMs());

    // Assess
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 320, 500, 500, 500, 500, undefined]);
    expect(schedule.attempts).toBe(12);
  });
});
