/** Time kept back for the rest of the batch after waiting out a lock. */
const RESERVE_MS = 5_000;

/**
 * Runs `publish`; when Powertools answers that another invocation holds the
 * change (IdempotencyAlreadyInProgressError), waits until that hold expires —
 * once, and only if the expiry comes before this invocation's own deadline
 * less a reserve — and runs it again.
 *
 * Why: a host crash leaves the change INPROGRESS until the dead invocation's
 * deadline (registerLambdaContext), up to the function's timeout; the mapping's
 * bounded retries run out well before that, and the rest of the batch would be
 * discarded to the DLQ. Waiting it out here turns that into a delay.
 */
export async function waitOutCrashedLock<T>(publish: () => Promise<T>, remainingMs: () => number, sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)), nowMs: () => number = Date.now): Promise<T> {
  try {
    return await publish();
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'IdempotencyAlreadyInProgressError') throw error;
    const expiresAtMs = (error as { existingRecord?: { inProgressExpiryTimestamp?: number } }).existingRecord?.inProgressExpiryTimestamp;
    if (expiresAtMs === undefined) throw error;
    const waitMs = Math.max(0, expiresAtMs - nowMs()) + 100;
    if (waitMs > remainingMs() - RESERVE_MS) throw error;
    await sleep(waitMs);
    return publish();
  }
}
