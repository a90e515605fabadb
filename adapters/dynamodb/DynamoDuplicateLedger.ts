import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DuplicateLedger, LedgerEntry } from '../../core/ports/DuplicateLedger';
import { FINGERPRINT_BYTES } from '../../core/delivery/eventFingerprint';
import { DELIVERY_KEYS, sequenceSortKey } from './deliveryKeys';
import { createDocumentClient } from './createDocumentClient';

/**
 * The duplicate ledger in the delivery table: partition
 * `seen#<shardId>#<event-time minute>`, sort `<written at, ms>#<first seq,
 * padded>~<last seq>` (a bisected half shares its parent's first record, not
 * its range), the
 * fingerprints as one binary attribute of 8 bytes each, the dropped records'
 * sequence numbers, and a TTL of the dedupe horizon.
 */
export class DynamoDuplicateLedger implements DuplicateLedger {
  private readonly client: DynamoDBDocumentClient;
  /**
   * Entries already read, per partition (shard, minute). Entries never change,
   * and their sort keys start with the time they were written, so a batch reads
   * only what was written since its container last looked (less a margin for
   * writes in flight and clock skew between containers), not every earlier
   * batch of the minute again (which grows quadratically). Sorting by sequence
   * number instead would miss entries written late for early records: a
   * redelivery from an older checkpoint, a redrive.
   */
  private readonly cache = new Map<string, { entries: Map<string, CachedEntry>; readUpToMs: number }>();

  public constructor(
    private readonly tableName: string,
    private readonly horizonHours: number,
    client?: DynamoDBDocumentClient,
  ) {
    this.client = client ?? createDocumentClient();
  }

  public async read(shardId: string, minutes: readonly number[], nowMs: number): Promise<LedgerEntry[]> {
    const cached = await Promise.all(minutes.map((minute) => this.readMinute(partitionOf(shardId, minute))));
    // TTL deletes lazily (within days): the horizon is enforced here, not by the sweeper.
    const nowSeconds = nowMs / 1000;
    return cached.flatMap((entries) => [...entries.values()]).filter((cachedEntry) => cachedEntry.expiresAt > nowSeconds).map((cachedEntry) => cachedEntry.entry);
  }

  public async write(entries: readonly LedgerEntry[], nowMs: number): Promise<void> {
    const expiresAt = Math.floor(nowMs / 1000) + this.horizonHours * 3600;
    await Promise.all(
      entries.map((entry) =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              [DELIVERY_KEYS.partitionKey]: partitionOf(entry.range.shardId, entry.minute),
              [DELIVERY_KEYS.sortKey]: `${writtenAtKey(nowMs)}#${sequenceSortKey(entry.range.first)}~${entry.range.last}`,
              first: entry.range.first,
              last: entry.range.last,
              ...(entry.fingerprints.size > 0 ? { fingerprints: Buffer.from([...entry.fingerprints].join(''), 'hex') } : {}),
              ...(entry.duplicates.length > 0 ? { duplicates: [...entry.duplicates] } : {}),
              [DELIVERY_KEYS.ttlAttribute]: expiresAt,
            },
          }),
        ),
      ),
    );
  }

  private async readMinute(partition: string): Promise<Map<string, CachedEntry>> {
    const known = this.cache.get(partition) ?? { entries: new Map<string, CachedEntry>(), readUpToMs: Number.NEGATIVE_INFINITY };
    const fromMs = known.readUpToMs - WRITE_MARGIN_MS;
    let readUpToMs = known.readUpToMs;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          // Nothing read yet: from time 0, the whole partition.
          KeyConditionExpression: '#pk = :pk AND #sk >= :from',
          ExpressionAttributeNames: { '#pk': DELIVERY_KEYS.partitionKey, '#sk': DELIVERY_KEYS.sortKey },
          ExpressionAttributeValues: { ':pk': partition, ':from': writtenAtKey(Math.max(0, fromMs)) },
          // The previous batch of this shard wrote its entry just before: read it.
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of (page.Items ?? []) as Record<string, unknown>[]) {
        const sortKey = item[DELIVERY_KEYS.sortKey] as string;
        known.entries.set(sortKey, { entry: toEntry(item), expiresAt: item[DELIVERY_KEYS.ttlAttribute] as number });
        const writtenAtMs = Number(sortKey.slice(0, sortKey.indexOf('#')));
        if (Number.isFinite(writtenAtMs)) readUpToMs = Math.max(readUpToMs, writtenAtMs);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    known.readUpToMs = readUpToMs;
    this.cache.delete(partition);
    this.cache.set(partition, known);
    // A container serves a few shards' recent minutes; forget the least recently read beyond that.
    while (this.cache.size > MAX_CACHED_MINUTES) this.cache.delete(this.cache.keys().next().value!);
    return known.entries;
  }
}

/**
 * How far before the newest entry it has seen a container reads again: an
 * entry's write time comes from its writer's clock and it lands a little later.
 */
const WRITE_MARGIN_MS = 5_000;

/** Partitions (shard, minute) kept in memory: 64 shards × 16 minutes of disorder. */
const MAX_CACHED_MINUTES = 1_024;

interface CachedEntry {
  readonly entry: LedgerEntry;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** Write times as sort-key prefixes: 15 digits, so string order is time order. */
function writtenAtKey(ms: number): string {
  return String(ms).padStart(15, '0');
}

function partitionOf(shardId: string, minute: number): string {
  return `seen#${shardId}#${minute}`;
}

function toEntry(item: Record<string, unknown>): LedgerEntry {
  const pk = item[DELIVERY_KEYS.partitionKey] as string;
  const separator = pk.lastIndexOf('#');
  const bytes = item.fingerprints ? Buffer.from(item.fingerprints as Uint8Array) : Buffer.alloc(0);
  const fingerprints = new Set<string>();
  for (let offset = 0; offset + FINGERPRINT_BYTES <= bytes.length; offset += FINGERPRINT_BYTES) {
    fingerprints.add(bytes.subarray(offset, offset + FINGERPRINT_BYTES).toString('hex'));
  }
  return {
    range: { shardId: pk.slice('seen#'.length, separator), first: item.first as string, last: item.last as string },
    minute: Number(pk.slice(separator + 1)),
    fingerprints,
    duplicates: (item.duplicates as string[] | undefined) ?? [],
  };
}
