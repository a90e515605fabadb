import { WriteConflictsExhaustedError } from '../errors';
import { RetrySchedule, SYSTEM_CLOCK, type RetryClock } from './RetrySchedule';
import { WRITE_RACE_POLICY, type RetryPolicy } from './retryPolicy';

/** What an attempt returns when its conditional write lost the race: re-read, merge again and retry. */
export const LOST_RACE: unique symbol = Symbol('tributary.lostRace');

/** How `retryOnConflict` retries. */
export interface ConflictRetryOptions {
  /**
   * Attempts and waits.
   * @default WRITE_RACE_POLICY
   */
  readonly policy?: RetryPolicy;
  /** Told of each lost race that is retried, before its wait (the batch's `writeConflicts`). */
  readonly onLostRace?: () => void;
  /** @default SYSTEM_CLOCK */
  readonly clock?: RetryClock;
}

/**
 * Runs one optimistic read–merge–conditional-write until it lands: the loop
 * behind every lost write race (fixed windows, session groups, late counts,
 * the pipeline watermark). `attempt` gets its number (1 for the first, which
 * may use what the caller read beforehand; later ones must re-read) and
 * returns its result, or `LOST_RACE` when another writer changed the item
 * since it was read. Between attempts it waits as the policy says; when the
 * policy allows no further attempt it throws `WriteConflictsExhaustedError`
 * naming `what`. Errors of `attempt` propagate untouched.
 */
export async function retryOnConflict<T>(what: string, attempt: (attemptNumber: number) => Promise<T | typeof LOST_RACE>, options: ConflictRetryOptions = {}): Promise<T> {
  const schedule = new RetrySchedule(options.policy ?? WRITE_RACE_POLICY, options.clock ?? SYSTEM_CLOCK);
  for (;;) {
    const outcome = await attempt(schedule.attempts);
    if (outcome !== LOST_RACE) return outcome;
    const delayMs = schedule.nextDelayMs();
    if (delayMs === undefined) throw new WriteConflictsExhaustedError(what, schedule.attempts);
    options.onLostRace?.();
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
