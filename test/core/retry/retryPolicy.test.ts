import { ConditionalCheckFailedException, ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { RETRY_POLICY, isTransientError, markRetriesSpent, retriesSpent, retryDelayMs } from '../../../core/retry/retryPolicy';
import { RetrySchedule } from '../../../core/retry/RetrySchedule';

const named = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(`${name} (test)`), { name, ...extra });
const networkError = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:4568`), { code });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: { httpStatusCode: 400 }, CancellationReasons: codes.map((Code) => ({ Code })) });

/** A clock whose time moves only when told to, with a fixed jitter draw. */
function manualClock(random: number) {
  let nowMs = 1_000_000;
  return { now: () => nowMs, random: () => random, advance: (ms: number) => (nowMs += ms) };
}

describe('Function: isTransientError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } })],
    ['ThrottlingException', named('ThrottlingException', { $metadata: { httpStatusCode: 400 } })],
    ['RequestLimitExceeded', named('RequestLimitExceeded', { $metadata: { httpStatusCode: 400 } })],
    ['LimitExceededException (Kinesis control-plane rate)', named('LimitExceededException', { $metadata: { httpStatusCode: 400 } })],
    ['TransactionConflictException', named('TransactionConflictException', { $metadata: { httpStatusCode: 400 } })],
    ['a transaction cancelled by a conflict', cancelled('None', 'TransactionConflict')],
    ['a transaction cancelled by throttling', cancelled('ThrottlingError', 'None')],
    ['InternalServerError', named('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
    ['an unnamed 503', named('UnknownError', { $metadata: { httpStatusCode: 503 } })],
    ['an unnamed 429', named('UnknownError', { $metadata: { httpStatusCode: 429 } })],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['ECONNREFUSED', networkError('ECONNREFUSED')],
    ['EPIPE', networkError('EPIPE')],
    ['ETIMEDOUT', networkError('ETIMEDOUT')],
    ['socket hang up', new Error('socket hang up')],
    ['TimeoutError', named('TimeoutError')],
  ])('retries %s', (_label, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['ConditionalCheckFailedException', new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } })],
    ['ValidationException', named('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['ResourceNotFoundException', named('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } })],
    ['SerializationException', named('SerializationException', { $metadata: { httpStatusCode: 400 } })],
    ['ItemCollectionSizeLimitExceededException (not LimitExceededException)', named('ItemCollectionSizeLimitExceededException', { $metadata: { httpStatusCode: 400 } })],
    ['a transaction cancelled by a failed condition, even beside a conflict', cancelled('ConditionalCheckFailed', 'TransactionConflict')],
    ['a transaction cancelled with no reason', cancelled('None')],
    ['an unnamed 400', named('UnknownError', { $metadata: { httpStatusCode: 400 } })],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'S')")],
    ['a thrown string', 'ProvisionedThroughputExceededException'],
  ])('never retries %s', (_label, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe('Function: retryDelayMs', () => {
  it('draws the first retry under the base and doubles the window up to the cap', () => {
    // Act
    const windows = [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => retryDelayMs(retry, RETRY_POLICY, () => 0.999_999));

    // Assess
    expect(windows.map((ms) => Math.round(ms))).toEqual([50, 100, 200, 400, 800, 1_600, 2_000, 2_000]);
  });

  it('applies full jitter: a draw of 0 waits nothing, a draw of one half waits half the window', () => {
    expect(retryDelayMs(4, RETRY_POLICY, () => 0)).toBe(0);
    expect(retryDelayMs(4, RETRY_POLICY, () => 0.5)).toBe(200);
  });
});

describe('Class: RetrySchedule', () => {
  it('grants 7 retries (8 attempts) and then refuses', () => {
    // Prepare
    const schedule = new RetrySchedule(RETRY_POLICY, manualClock(0.5));

    // Act
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 8; i++) delays.push(schedule.nextDelayMs());

    // Assess
    expect(delays).toEqual([25, 50, 100, 200, 400, 800, 1_000, undefined]);
    expect(schedule.attempts).toBe(8);
  });

  it('refuses a retry whose wait would end past the time budget', () => {
    // Prepare
    const clock = manualClock(0.999_999);
    const schedule = new RetrySchedule(RETRY_POLICY, clock);

    // Act: the first attempt hangs for 9.98 s before it fails.
    clock.advance(9_980);
    const afterSlowAttempt = schedule.nextDelayMs();
    const fresh = new RetrySchedule(RETRY_POLICY, clock);
    clock.advance(9_900);
    const withRoomLeft = fresh.nextDelayMs();

    // Assess: 9,980 + 50 > 10,000; 9,900 + 50 ≤ 10,000.
    expect(afterSlowAttempt).toBeUndefined();
    expect(schedule.attempts).toBe(1);
    expect(withRoomLeft).toBeCloseTo(50, 3);
  });
});

describe('Function: markRetriesSpent', () => {
  it('marks an error so that outer loops pass it on', () => {
    const error = named('ThrottlingException');

    markRetriesSpent(error);

    expect(retriesSpent(error)).toBe(true);
    expect(retriesSpent(named('ThrottlingException'))).toBe(false);
  });
});
