/**
 * A deterministic synthetic checkout: `checkout.failed` for a share
 * `errorRate` of the indexes, spread evenly (index i fails when the count of
 * failures up to i grows: ⌊(i + 1)·rate⌋ > ⌊i·rate⌋), else `checkout.completed`.
 * Any run of n events holds n·rate failures give or take one, so every window
 * of a load sees the rate asked for.
 */
export function syntheticCheckout(index: number, errorRate: number, nowMs: number = Date.now()): Record<string, unknown> {
  const failed = Math.floor((index + 1) * errorRate) > Math.floor(index * errorRate);
  return {
    type: failed ? 'checkout.failed' : 'checkout.completed',
    key: `customer-${index % 97}`,
    time: nowMs,
    data: { latencyMs: 40 + ((index * 37) % 400), checkoutId: `c-${index}`, ...(failed ? { error: 'payment-declined' } : {}) },
  };
}
