import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DuplicateLedger, LedgerEntry } from '../delivery/DuplicateLedger';
import { FINGERPRINT_BYTES } from '../delivery/eventFingerprint';
import { ConfigError } from '../errors';
import { DELIVERY_KEYS, sequenceSortKey } from './deliveryKeys';
import { createDocumentClient } from './DynamoWindowStore';

/**
 * The duplicate ledger in the delivery table: partition
 * `seen#<shardId>#<event-time minute>`, sort `<first seq, padded>~<last seq>`
 * (a bisected half shares its parent's first record, not its range), the
 * fingerprints as one binary attribute of 8 bytes each, the dropped records'
 * sequence numbers, and a TTL of the dedupe horizon.
 */
export class DynamoDuplicateLedger implements DuplicateLedger {
  private readonly client: DynamoDBDocumentClient;

  /** From the stack: DELIVERY_TABLE and DEDUPE_HORIZON_HOURS. */
  public static fromEnvironment(environment: NodeJS.ProcessEnv = process.env, client?: DynamoDBDocumentClient): DynamoDuplicateLedger {
    const tableName = environment.DELIVERY_TABLE;
    if (!tableName) throw new ConfigError(['DELIVERY_TABLE is not set: the function was deployed without its delivery table']);
    return new DynamoDuplicateLedger(tableName, Number(environment.DEDUPE_HORIZON_HOURS ?? '24'), client);
  }

  public constructor(
    private readonly tableName: string,
    private readonly horizonHours: number,
    client?: DynamoDBDocumentClient,
  ) {
    this.client = client ?? createDocumentClient();
  }

  public async read(shardId: string, minutes: readonly number[], nowMs: number): Promise<LedgerEntry[]> {
    const pages = await Promise.all(minutes.map((minute) => this.readMinute(shardId, minute)));
    // TTL deletes lazily (within days): the horizon is enforced here, not by the sweeper.
    const nowSeconds = nowMs / 1000;
    return pages.flat().filter((item) => (item[DELIVERY_KEYS.ttlAttribute] as number) > nowSeconds).map(toEntry);
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
              [DELIVERY_KEYS.sortKey]: `${sequenceSortKey(entry.range.first)}~${entry.range.last}`,
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

  private async readMinute(shardId: string, minute: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': DELIVERY_KEYS.partitionKey },
          ExpressionAttributeValues: { ':pk': partitionOf(shardId, minute) },
          // The previous batch of this shard wrote its entry just before: read it.
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
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
