import { describe, expect, it } from 'vitest';
import { waitOutCrashedLock } from '../../../adapters/powertools/waitOutCrashedLock';

const inProgress = (expiresAtMs: number) => Object.assign(new Error('in progress'), { name: 'IdempotencyAlreadyInProgressError', existingRecord: { inProgressExpiryTimestamp: expiresAtMs } });

describe('Function: waitOutCrashedLock', () => {
  it('waits until a crashed invocation’s hold expires, then publishes once more', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await waitOutCrashedLock(
      async () => {
        calls += 1;
        if (calls === 1) throw inProgress(10_000);
        return 'published';
      },
      () => 30_000,
      async (ms) => void slept.push(ms),
      () => 2_000,
    );
    expect([result, calls, slept]).toEqual(['published', 2, [8_100]]);
  });

  it('gives the error back when the hold outlasts this invocation, or for any other error', async () => {
    await expect(waitOutCrashedLock(async () => Promise.reject(inProgress(40_000)), () => 30_000, async () => {}, () => 0)).rejects.toThrow('in progress');
    await expect(waitOutCrashedLock(async () => Promise.reject(new Error('Rate exceeded')), () => 30_000, async () => {}, () => 0)).rejects.toThrow('Rate exceeded');
  });
});
