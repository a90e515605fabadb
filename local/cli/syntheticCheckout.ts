import { inEvenShare } from './inEvenShare';

/**
 * A deterministic synthetic checkout: `checkout.failed` for a share
 * `errorRate` of the indexes, spread evenly (inEvenShare), else
 * `checkout.completed`, so every window of a load sees the rate asked for.
 */
export function syntheticCheckout(index: number, errorRate: number, nowMs: number = Date.now()): Record<string, unknown> {
  const failed = inEvenShare(index, errorRate);
  return {
    type: failed ? 'checkout.failed' : 'checkout.completed',
    key: `customer-${index % 97}`,
    time: nowMs,
    data: { latencyMs: 40 + ((index * 37) % 400), checkoutId: `c-${index}`, ...(failed ? { error: 'payment-declined' } : {}) },
  };
}
