import type { DuplicateLedger, LedgerEntry } from '../DuplicateLedger';

/** The duplicate ledger in memory, keyed like the DynamoDB one: (shard, minute, range). */
export class InMemoryDuplicateLedger implements DuplicateLedger {
  public readonly entries = new Map<string, { entry: LedgerEntry; expiresAtMs: number }>();

  public constructor(private readonly horizonMs = 86_400_000) {}

  public async read(shardId: string, minutes: readonly number[], nowMs: number): Promise<LedgerEntry[]> {
    const wanted = new Set(minutes);
    return [...this.entries.values()]
      .filter(({ entry, expiresAtMs }) => entry.range.shardId === shardId && wanted.has(entry.minute) && expiresAtMs > nowMs)
      .map(({ entry }) => ({ ...entry, fingerprints: new Set(entry.fingerprints), duplicates: [...entry.duplicates] }));
  }

  public async write(entries: readonly LedgerEntry[], nowMs: number): Promise<void> {
    for (const entry of entries) {
      this.entries.set(`${entry.range.shardId}#${entry.minute}#${entry.range.first}~${entry.range.last}`, { entry, expiresAtMs: nowMs + this.horizonMs });
    }
  }
}
