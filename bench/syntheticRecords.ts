/** Options of the synthetic stream. */
export interface SyntheticOptions {
  readonly groups: number;
  /** Event time advances by 1 / this per record. */
  readonly eventsPerSecond: number;
  readonly startMs?: number;
}

/**
 * Kinesis-shaped records of ~200-byte order events, base64 as the ESM delivers
 * them, in event-time order (a few ms of jitter), spread over `groups` regions.
 */
export function syntheticRecords(count: number, options: SyntheticOptions): { data: string; sequenceNumber: string }[] {
  const startMs = options.startMs ?? Date.UTC(2026, 0, 1);
  const records: { data: string; sequenceNumber: string }[] = [];
  let seed = 12_345;
  const next = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 4_294_967_296;
  };
  for (let i = 0; i < count; i++) {
    const time = startMs + Math.floor((i * 1_000) / options.eventsPerSecond) - Math.floor(next() * 50);
    const event = {
      id: `01JBENCH${String(i).padStart(18, '0')}`,
      type: 'order.created',
      key: `customer-${Math.floor(next() * 5_000)}`,
      time,
      data: { region: `region-${i % options.groups}`, amount: Math.round(next() * 10_000) / 100, currency: 'EUR', items: 1 + Math.floor(next() * 5) },
      receivedAt: time + 20,
    };
    records.push({ data: Buffer.from(JSON.stringify(event)).toString('base64'), sequenceNumber: String(49_000_000_000_000 + i) });
  }
  return records;
}
