import type { DocumentReads } from '../../adapters/dynamodb/DocumentReads';

type Item = Record<string, unknown>;
const keyOf = (key: Item): string => JSON.stringify([key.pk, key.windowStart]);

/**
 * DAX as REFERENCES.md describes it, over a backing table: GetItem and
 * BatchGetItem go through an item cache that keeps an item for `itemTtlMs`
 * and is updated by writes sent through DAX (`put`); Query results are kept
 * for `queryTtlMs` and never invalidated by writes. `now` is the test's clock.
 */
export class DaxDouble implements DocumentReads {
  private readonly items = new Map<string, { item: Item | undefined; atMs: number }>();
  private readonly queries = new Map<string, { result: unknown; atMs: number }>();
  public readonly stats = { itemHits: 0, itemMisses: 0, queryHits: 0, queryMisses: 0 };

  public constructor(
    private readonly table: BackingTable,
    private readonly ttl: { itemTtlMs: number; queryTtlMs: number },
    private readonly now: () => number,
  ) {}

  /** A write through DAX: the table and the item cache both take it. */
  public async putThrough(item: Item): Promise<void> {
    await this.table.put(item);
    this.items.set(keyOf(item), { item, atMs: this.now() });
  }

  public get: DocumentReads['get'] = (async (input: { Key: Item }) => ({ Item: await this.cachedItem(input.Key), $metadata: {} })) as never;

  public batchGet: DocumentReads['batchGet'] = (async (input: { RequestItems: Record<string, { Keys: Item[] }> }) => {
    const responses: Record<string, Item[]> = {};
    for (const [table, { Keys }] of Object.entries(input.RequestItems)) {
      responses[table] = (await Promise.all(Keys.map((key) => this.cachedItem(key)))).filter((item): item is Item => item !== undefined);
    }
    return { Responses: responses, UnprocessedKeys: {}, $metadata: {} };
  }) as never;

  public query: DocumentReads['query'] = (async (input: Item) => {
    const id = JSON.stringify(input);
    const cached = this.queries.get(id);
    if (cached && this.now() - cached.atMs < this.ttl.queryTtlMs) {
      this.stats.queryHits += 1;
      return cached.result;
    }
    this.stats.queryMisses += 1;
    const result = { Items: await this.table.query(input.ExpressionAttributeValues as Item), $metadata: {} };
    this.queries.set(id, { result, atMs: this.now() });
    return result;
  }) as never;

  private async cachedItem(key: Item): Promise<Item | undefined> {
    const cached = this.items.get(keyOf(key));
    if (cached && this.now() - cached.atMs < this.ttl.itemTtlMs) {
      this.stats.itemHits += 1;
      return cached.item;
    }
    this.stats.itemMisses += 1;
    const item = await this.table.get(key);
    this.items.set(keyOf(key), { item, atMs: this.now() });
    return item;
  }
}

/** The table behind DAX: an in-memory one for unit tests, DynamoDB Local for the benchmark. */
export interface BackingTable {
  put(item: Item): Promise<void>;
  get(key: Item): Promise<Item | undefined>;
  /** `pk = :pk AND windowStart BETWEEN :from AND :last`, the only Query the query API makes of windows. */
  query(values: Item): Promise<Item[]>;
}

/** The aggregates table's key layout in memory: what writers that bypass DAX (the aggregator) write to. */
export class InMemoryTable implements BackingTable {
  private readonly rows = new Map<string, Item>();

  public async put(item: Item): Promise<void> {
    this.rows.set(keyOf(item), structuredClone(item));
  }

  public async get(key: Item): Promise<Item | undefined> {
    const row = this.rows.get(keyOf(key));
    return row ? structuredClone(row) : undefined;
  }

  public async query(values: Item): Promise<Item[]> {
    return [...this.rows.values()]
      .filter((row) => row.pk === values[':pk'] && (row.windowStart as number) >= (values[':from'] as number) && (row.windowStart as number) <= (values[':last'] as number))
      .sort((a, b) => (a.windowStart as number) - (b.windowStart as number))
      .map((row) => structuredClone(row));
  }
}
