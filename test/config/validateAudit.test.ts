import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolveConfig';
import type { AuditConfig } from '../../config/TributaryConfig';
import { ConfigError } from '../../core/errors';
import { ordersPerRegion } from '../support/factories';

function problemsOf(audit: AuditConfig): readonly string[] {
  try {
    resolveConfig({ metrics: [ordersPerRegion], audit });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('Function: resolveConfig, the audit section', () => {
  it('defaults to a run every 5 minutes of 20 windows final for 2 minutes, on', () => {
    expect(resolveConfig({ metrics: [ordersPerRegion] }).audit).toEqual({ enabled: true, scheduleMinutes: 5, windowsPerRun: 20, settleSeconds: 120 });
  });

  it("keeps the caller's values over the defaults", () => {
    expect(resolveConfig({ metrics: [ordersPerRegion], audit: { scheduleMinutes: 60, settleSeconds: 1 } }).audit).toEqual({ enabled: true, scheduleMinutes: 60, windowsPerRun: 20, settleSeconds: 1 });
  });

  it('refuses every value out of range or of the wrong type, each with its exact message', () => {
    expect(problemsOf({ enabled: 'yes' as never, scheduleMinutes: 0, windowsPerRun: 1_001, settleSeconds: 0.5 })).toEqual([
      'audit.enabled must be true or false (got "yes")',
      'audit.scheduleMinutes must be an integer from 1 to 1440 (EventBridge rates are whole minutes; at most one run a day) (got 0)',
      'audit.windowsPerRun must be an integer from 1 to 1000 (each window costs its own raw-event reads) (got 1001)',
      "audit.settleSeconds must be an integer from 1 to 86400 (the archive consumer must have written a final window's events before they are recounted) (got 0.5)",
    ]);
    expect(problemsOf({ scheduleMinutes: 1_441, windowsPerRun: 0, settleSeconds: 86_401 })).toEqual([
      'audit.scheduleMinutes must be an integer from 1 to 1440 (EventBridge rates are whole minutes; at most one run a day) (got 1441)',
      'audit.windowsPerRun must be an integer from 1 to 1000 (each window costs its own raw-event reads) (got 0)',
      "audit.settleSeconds must be an integer from 1 to 86400 (the archive consumer must have written a final window's events before they are recounted) (got 86401)",
    ]);
    expect(problemsOf({ scheduleMinutes: 1, windowsPerRun: 1, settleSeconds: 1 })).toEqual([]);
    expect(problemsOf({ scheduleMinutes: 1_440, windowsPerRun: 1_000, settleSeconds: 86_400, enabled: false })).toEqual([]);
  });
});
