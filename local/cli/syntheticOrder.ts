const REGIONS = ['eu-west', 'us-east', 'ap-south'] as const;

/** A deterministic synthetic `order.created` event: region and amount follow from the index. */
export function syntheticOrder(index: number, nowMs: number = Date.now()): Record<string, unknown> {
  return {
    type: 'order.created',
    key: `customer-${index % 97}`,
    time: nowMs,
    data: { region: REGIONS[index % REGIONS.length], amount: (index % 50) + 0.5, orderId: `o-${index}` },
  };
}
