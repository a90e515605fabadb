import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sequenceSortKey } from './deliveryKeys';
import { storedGroupKey } from './aggregateKeys';
import { BATCH_WRITE_LIMIT, batchWriteItems } from './batchWriteItems';
import { createDocumentClient } from './createDocumentClient';
import { LATE_EVENT_KEYS } from './lateEventKeys';
import type { LateEvent, LateEventSink, RejectedRecord, RejectedRecordSink } from '../../core/ports/LateEventSink';

/** The late-event output in DynamoDB. */
export class DynamoLateEventStore implements LateEventSink, RejectedRecordSink {
  private readonly client: DynamoDBDocumentClient;

  public constructor(
    private readonly tableName: string,
    private readonly retentionDays: number,
    client?: DynamoDBDocumentClient,
  ) {
    this.client = client ?? createDocumentClient();
  }

  public async write(events: readonly LateEvent[], nowMs: number): Promise<void> {
    await this.putAll(events.map((late) => lateEventItem(late, nowMs, this.retentionDays)));
  }

  /**
   * Rejected records share the side-output table under partition
   * `~rejected#<UTC day of arrival>` (no metric name starts with `~`), sort
   * `<shardId>#<sequence number>` (then `#<sub-record index>` for a user record
   * of a KPL aggregate): a redelivered record rewrites its entry.
   */
  public async reject(records: readonly RejectedRecord[], nowMs: number): Promise<void> {
    await this.putAll(
      records.map((record) => ({
        [LATE_EVENT_KEYS.partitionKey]: `~rejected#${new Date(record.arrivedAtMs).toISOString().slice(0, 10)}`,
        [LATE_EVENT_KEYS.sortKey]: `${record.shardId}#${sequenceSortKey(record.sequenceNumber)}${record.subSequence === undefined ? '' : `#${record.subSequence}`}`,
        reason: record.reason,
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        ...(record.subSequence === undefined ? {} : { subSequence: record.subSequence }),
        ...(record.dataBase64.length <= MAX_STORED_EVENT_CHARS ? { data: record.dataBase64 } : { dataOmitted: true }),
        arrivedAt: record.arrivedAtMs,
        recordedAt: nowMs,
        [LATE_EVENT_KEYS.ttlAttribute]: Math.floor(nowMs / 1000) + this.retentionDays * 86_400,
      })),
    );
  }

  private async putAll(itemList: readonly Record<string, unknown>[]): Promise<void> {
    // One item per key: a duplicate key in one BatchWriteItem is a ValidationException.
    const items = new Map<string, Record<string, unknown>>();
    for (const item of itemList) items.set(`${item[LATE_EVENT_KEYS.partitionKey]}\u0000${item[LATE_EVENT_KEYS.sortKey]}`, item);
    const all = [...items.values()];
    for (let offset = 0; offset < all.length; offset += BATCH_WRITE_LIMIT) await batchWriteItems(this.client, this.tableName, all.slice(offset, offset + BATCH_WRITE_LIMIT));
  }
}

/**
 * Largest record kept whole in the rejected output (base64 text, 4 bytes per 3).
 * A foreign record may be 1 MiB but an item only 400 KB: a bigger one keeps
 * its reason, shard and sequence number, which point at it in the stream.
 */
export const MAX_STORED_EVENT_CHARS = 300_000;

/** A group longer than this is kept in its stored key form (the event holds the real one). */
const MAX_GROUP_BYTES_STORED = 1_024;

/** The stored form of a late event: the event as its JSON text, which holds any event the API accepts. */
function lateEventItem(late: LateEvent, nowMs: number, retentionDays: number): Record<string, unknown> {
  const timeMs = late.eventTimeMs ?? late.event.time;
  const json = late.eventJson ?? JSON.stringify(late.event);
  const longGroup = late.group !== undefined && Buffer.byteLength(late.group) > MAX_GROUP_BYTES_STORED;
  return {
    [LATE_EVENT_KEYS.partitionKey]: `${late.metric}#${new Date(timeMs).toISOString().slice(0, 10)}`,
    [LATE_EVENT_KEYS.sortKey]: `${String(timeMs).padStart(15, '0')}#${late.event.id}`,
    metric: late.metric,
    reason: late.reason,
    event: json,
    ...(late.eventTimeMs !== undefined ? { eventTime: late.eventTimeMs } : {}),
    ...(late.group !== undefined ? (longGroup ? { groupKey: storedGroupKey(late.group) } : { group: late.group }) : {}),
    // A hopping event misses up to size/slide windows; the first 100 say enough.
    windowsMissed: late.windowsMissed.slice(0, 100),
    ...(late.windowsMissed.length > 100 ? { windowsMissedCount: late.windowsMissed.length } : {}),
    ...(late.watermarkMs !== undefined && Number.isFinite(late.watermarkMs) ? { watermark: late.watermarkMs } : {}),
    shardId: late.shardId,
    sequenceNumber: late.sequenceNumber,
    ...(late.subSequence ? { subSequence: late.subSequence } : {}),
    recordedAt: nowMs,
    [LATE_EVENT_KEYS.ttlAttribute]: Math.floor(nowMs / 1000) + retentionDays * 86_400,
  };
}
