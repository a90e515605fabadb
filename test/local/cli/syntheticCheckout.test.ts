import { describe, expect, it } from 'vitest';
import { syntheticCheckout } from '../../../local/cli/syntheticCheckout';

const failuresIn = (from: number, count: number, rate: number): number =>
  Array.from({ length: count }, (_, i) => syntheticCheckout(from + i, rate, 0)).filter((event) => event.type === 'checkout.failed').length;

describe('Function: syntheticCheckout', () => {
  it('fails the share asked for in every run of events, give or take one', () => {
    for (const rate of [0, 0.02, 0.05, 0.3, 1]) {
      for (const from of [0, 17, 500]) {
        const failures = failuresIn(from, 100, rate);
        expect(Math.abs(failures - 100 * rate), `rate ${rate} from ${from}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is a checkout event of the example metric: a completed one, or a failed one with its error', () => {
    expect(syntheticCheckout(0, 0, 1_000)).toEqual({ type: 'checkout.completed', key: 'customer-0', time: 1_000, data: { latencyMs: 40, checkoutId: 'c-0' } });
    expect(syntheticCheckout(3, 1, 1_000)).toEqual({ type: 'checkout.failed', key: 'customer-3', time: 1_000, data: { latencyMs: 151, checkoutId: 'c-3', error: 'payment-declined' } });
  });
});
