import { describe, expect, it } from 'vitest';
import { formatChaosSummary, runChaos } from '../../local/chaos/runChaos';
import { unmetExpectations } from '../../local/chaos/unmetExpectations';

/**
 * The chaos test: the offline pipeline (kinesis-mock, DynamoDB Local, fauxqs,
 * the real function bundles) with faults injected between the functions and
 * the emulators, then every window compared with a recomputation. Seeded;
 * `npm run chaos` runs the larger soak.
 */
describe('Chaos: effectively once through every failure', () => {
  it('counts every event exactly once after throttles, lost responses, partial PutRecords, crashes at writes, a kill -9, producer re-sends, a poison record, a throttling storm into the DLQ and its redrive', async () => {
    // Act: the storm ends at the first DLQ message (61 s on an idle 2-core machine); 150 s leaves room for a loaded one,
    // where 90 s once ran out before the mapping's retries gave up.
    const summary = await runChaos({ seed: 20261122, events: 2_500, keys: 500, resendShare: 0.03, faultRate: 0.03, crashes: 2, stormMs: 150_000 });
    console.log(formatChaosSummary(summary));

    // Assess: the faults really happened …
    expect(summary.duplicatesInjected).toBeGreaterThan(40);
    expect(summary.faults.throttle).toBeGreaterThan(50);
    expect(summary.faults.lostResponse).toBeGreaterThan(5);
    expect(summary.faults.partialPutRecords).toBeGreaterThan(0);
    expect(summary.faults.crashBeforeWrite + summary.faults.crashAfterWrite).toBeGreaterThan(0);
    expect(summary.faults.hostKill9).toBe(1);
    // … the retry policy absorbed them inside the invocations …
    expect(summary.retriedRequests).toBeGreaterThan(50);
    expect(summary.dlqMessages).toBeGreaterThan(0);
    expect(summary.dlqMessagesOutsideStorm).toBe(0);
    expect(summary.dlqMessagesRedriven).toBe(summary.dlqMessages);
    expect(summary.archiveDlqMessages).toBe(0);
    expect(summary.rejectedRecords).toBe(1);
    // … and every window holds exactly its events.
    expect(summary.windowsCompared).toBeGreaterThan(300);
    expect(summary.mismatches).toEqual([]);
    expect(summary.eventsLost).toBe(0);
    expect(summary.lateEvents).toBe(0);
    expect(unmetExpectations(summary)).toEqual([]);
  }, 330_000);
});
