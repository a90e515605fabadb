import { describe, expect, it } from 'vitest';
import { backdateEvent, LATE_EVENT_AGE_MS } from '../../../local/cli/backdateEvent';
import { inEvenShare } from '../../../local/cli/inEvenShare';
import { syntheticOrder } from '../../../local/cli/syntheticOrder';
import { tributaryConfig } from '../../../infra/tributary.config';

describe('Function: inEvenShare', () => {
  it('chooses the share asked for in every run of indexes, give or take one', () => {
    for (const share of [0, 0.02, 0.3, 1]) {
      for (const from of [0, 13, 999]) {
        const chosen = Array.from({ length: 200 }, (_, i) => inEvenShare(from + i, share)).filter(Boolean).length;
        expect(Math.abs(chosen - 200 * share), `share ${share} from ${from}`).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('Function: backdateEvent', () => {
  it('moves only the event time back, by 10 minutes', () => {
    const order = syntheticOrder(4, 1_800_000);
    expect(backdateEvent(order)).toEqual({ ...order, time: 1_200_000 });
    expect(order.time).toBe(1_800_000);
  });

  it('is late for every window of the bundled metrics that take synthetic events: older than the window plus its delay and lateness', () => {
    const synthetic = ['order.created', 'checkout.completed', 'checkout.failed'];
    const taking = tributaryConfig.metrics.filter((metric) => metric.filter.types.some((type) => synthetic.includes(type)));
    expect(taking.map((metric) => metric.name).length).toBeGreaterThanOrEqual(2);
    for (const metric of taking) {
      const widthMs = metric.window.kind === 'session' ? metric.window.gapMs : metric.window.sizeMs;
      const slackMs = (metric.watermark?.maxDelayMs ?? 5_000) + (metric.watermark?.allowedLatenessMs ?? 0);
      expect(widthMs + slackMs, metric.name).toBeLessThan(LATE_EVENT_AGE_MS);
    }
  });
});
