import { describe, expect, it } from 'vitest';
import { formatFuzzSummary, runFuzz } from '../../local/fuzz/runFuzz';

/**
 * The fuzz test: seeded, generated requests over real HTTP against the whole
 * offline pipeline (real bundles, real emulators), hostile in every field and
 * in `data`, plus odd methods, paths, escapes, cursors, content types,
 * aborted uploads and garbage. `npm run fuzz` runs a longer one.
 */
describe('Fuzz: accepted means stored and counted, and no request breaks a server', () => {
  it('answers every request with a non-5xx status, never restarts the host, and finds every accepted event archived as sent and counted or in a named output', async () => {
    // Act
    // 1,260: the 1,200 hostile requests this test was sized for, plus the 1 in 21 that fail authentication on purpose.
    const summary = await runFuzz({ seed: 20261202, requests: 1_260 });
    console.log(formatFuzzSummary(summary));

    // Assess: the run was hostile enough to mean something …
    expect(summary.byStatus['400']).toBeGreaterThan(300);
    expect((summary.byStatus['200'] ?? 0) + (summary.byStatus['207'] ?? 0)).toBeGreaterThan(200);
    expect(summary.eventsAccepted).toBeGreaterThan(1_500);
    expect(summary.outcomes.counted).toBeGreaterThan(800);
    expect(summary.outcomes['future-event-time']).toBeGreaterThan(0);
    expect(summary.unauthenticated).toBeGreaterThan(20);
    // … and nothing broke.
    expect(summary.serverErrors).toEqual([]);
    // Unsigned, spoiled, stale or garbage authentication: refused before any function, as API Gateway does.
    expect(summary.unauthenticatedNotRefused).toEqual([]);
    expect(summary.hostRestarts).toBe(0);
    expect(summary.notArchived).toEqual([]);
    expect(summary.mismatches).toEqual([]);
    expect(summary.dlqMessages).toBe(0);
  }, 240_000);
});
