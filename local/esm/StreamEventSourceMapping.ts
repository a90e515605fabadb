import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStreamMapping } from '../assembly/LocalPlan';
import type { Invoke } from './InvokeResult';
import type { CheckpointStore } from './CheckpointStore';
import { deliverBatch } from './deliverBatch';
import type { EsmSettings } from './EsmSettings';
import { addDelivery, emptyMappingStats, type MappingStats } from './MappingStats';
import { buildOnFailureRecord, type BatchInfoKey } from './OnFailureRecord';
import type { StreamRecord } from './StreamRecord';

/** What a stream poller reads from: Kinesis or DynamoDB Streams behind one shape. */
export interface ShardSource {
  /** The shards to poll. */
  listShards(): Promise<string[]>;
  /** An iterator after `afterSequenceNumber`, or at the mapping's starting position. */
  iterator(shardId: string, afterSequenceNumber: string | undefined): Promise<string | undefined>;
  /** One GetRecords call; `nextIterator` undefined when the shard is closed and drained. */
  read(shardId: string, iterator: string, limit: number): Promise<{ records: StreamRecord[]; nextIterator: string | undefined; millisBehindLatest?: number }>;
  isExpiredIterator(error: unknown): boolean;
  /** The function's event for a batch. */
  toEvent(records: readonly StreamRecord[]): unknown;
  /** The key of the batch description in an on-failure record. */
  readonly batchInfoKey: BatchInfoKey;
}

export interface StreamMappingDeps {
  readonly sqs: SQSClient;
  readonly checkpoints: CheckpointStore;
  readonly invoke: Invoke;
  readonly functionArn: string;
  readonly log: (message: string) => void;
}

/** Timing knobs of the local poller. */
export interface PollerTiming {
  /**
   * Pause between GetRecords calls on a shard with nothing new; Lambda polls about once a second.
   * @default 1000
   */
  readonly idlePollIntervalMs?: number;
  /**
   * Least time between two GetRecords calls on one shard. Kinesis allows 5 reads
   * per second per shard, so Lambda never reads a shard faster than this even
   * while catching up; polling faster would only load the emulator.
   * @default 200
   */
  readonly minReadIntervalMs?: number;
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
}

/** Lambda sends a batch at 6 MB of payload whatever the batch size. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;
/** GetRecords returns at most 10,000 records per call (DynamoDB Streams: 1,000; its source caps it). */
const MAX_GET_RECORDS = 10_000;

/**
 * A local stream event source mapping: one poller per shard, one batch per
 * shard at a time (ParallelizationFactor 1), batches formed by size, batching
 * window and payload, delivered through deliverBatch, and a checkpoint in
 * DynamoDB Local that advances only over finished records. The source
 * (Kinesis, DynamoDB Streams) only reads shards and shapes events.
 */
export class StreamEventSourceMapping {
  public readonly stats: MappingStats = emptyMappingStats();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly behindByShard = new Map<string, number>();
  private readonly settings: EsmSettings;

  public constructor(
    public readonly mapping: LocalStreamMapping,
    private readonly source: ShardSource,
    private readonly deps: StreamMappingDeps,
    private readonly timing: PollerTiming = {},
  ) {
    this.settings = {
      functionArn: deps.functionArn,
      streamArn: mapping.streamArn,
      bisectBatchOnFunctionError: mapping.bisectBatchOnFunctionError,
      maximumRetryAttempts: mapping.maximumRetryAttempts,
      maximumRecordAgeSeconds: mapping.maximumRecordAgeSeconds,
      reportBatchItemFailures: mapping.reportBatchItemFailures,
      ...(timing.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: timing.retryBaseDelayMs } : {}),
      ...(timing.retryMaxDelayMs !== undefined ? { retryMaxDelayMs: timing.retryMaxDelayMs } : {}),
    };
  }

  /** Discovers the shards and starts polling each. */
  public async start(): Promise<void> {
    if (!this.mapping.enabled) return;
    for (const shardId of await this.source.listShards()) this.loops.push(this.superviseShard(shardId));
  }

  /**
   * Keeps a shard consumed whatever fails (the on-failure queue or the
   * checkpoint table unreachable, an emulator restarting): the poller starts
   * again from the stored checkpoint, so unfinished records are delivered again
   * rather than skipped.
   */
  private async superviseShard(shardId: string): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pollShard(shardId);
        return;
      } catch (error) {
        this.stats.pollerRestarts += 1;
        this.deps.log(`${this.mapping.logicalId} ${shardId}: poller failed, restarting from the checkpoint: ${(error as Error).stack ?? String(error)}`);
        await sleep(this.timing.idlePollIntervalMs ?? 1_000);
      }
    }
  }

  /** Stops after the batches in flight finish. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async pollShard(shardId: string): Promise<void> {
    const { mapping, deps } = this;
    const idlePollMs = this.timing.idlePollIntervalMs ?? 1_000;
    const windowMs = mapping.maxBatchingWindowSeconds * 1_000;
    const minReadIntervalMs = this.timing.minReadIntervalMs ?? 200;
    let lastReadAt = 0;
    const checkpoint = await deps.checkpoints.get(mapping.logicalId, shardId);
    let lastFetched = checkpoint;
    let iterator: string | undefined = await this.source.iterator(shardId, lastFetched);
    const buffer: StreamRecord[] = [];
    let bufferBytes = 0;
    let firstBufferedAt = 0;

    while (!this.stopped) {
      let fetched = 0;
      if (iterator && buffer.length < mapping.batchSize && bufferBytes < MAX_BATCH_BYTES) {
        const untilNextRead = lastReadAt + minReadIntervalMs - Date.now();
        if (untilNextRead > 0) await sleep(untilNextRead);
        lastReadAt = Date.now();
        try {
          const response = await this.source.read(shardId, iterator, Math.min(MAX_GET_RECORDS, mapping.batchSize - buffer.length));
          iterator = response.nextIterator;
          this.behindByShard.set(shardId, response.millisBehindLatest ?? 0);
          this.stats.millisBehindLatest = Math.max(...this.behindByShard.values());
          for (const record of response.records) {
            if (buffer.length === 0) firstBufferedAt = Date.now();
            buffer.push(record);
            bufferBytes += record.data.byteLength;
            lastFetched = record.sequenceNumber;
            fetched += 1;
          }
        } catch (error) {
          if (this.source.isExpiredIterator(error)) {
            iterator = await this.source.iterator(shardId, lastFetched);
            continue;
          }
          deps.log(`${mapping.logicalId} ${shardId}: GetRecords failed, retrying: ${(error as Error).message}`);
          await sleep(idlePollMs);
          continue;
        }
      }

      const full = buffer.length >= mapping.batchSize || bufferBytes >= MAX_BATCH_BYTES;
      const windowElapsed = buffer.length > 0 && Date.now() - firstBufferedAt >= windowMs;
      const shardEnded = !iterator && buffer.length > 0;
      if (full || windowElapsed || shardEnded) {
        const batch = takeBatch(buffer, mapping.batchSize);
        bufferBytes = buffer.reduce((sum, record) => sum + record.data.byteLength, 0);
        firstBufferedAt = Date.now();
        await this.deliver(batch);
        continue;
      }
      if (!iterator) return; // closed shard, fully drained
      if (fetched === 0) {
        const untilWindowEnds = buffer.length > 0 ? windowMs - (Date.now() - firstBufferedAt) : idlePollMs;
        await sleep(Math.max(1, Math.min(idlePollMs, untilWindowEnds)));
      }
    }
  }

  private async deliver(batch: StreamRecord[]): Promise<void> {
    const { deps, mapping } = this;
    this.stats.batches += 1;
    const delivery = await deliverBatch(batch, this.settings, {
      invoke: deps.invoke,
      toEvent: (records) => this.source.toEvent(records),
      onFinished: (last) => deps.checkpoints.advance(mapping.logicalId, last.shardId, last.sequenceNumber),
      discard: async (records, condition, invokeCount, functionError) => {
        const record = buildOnFailureRecord(records, this.settings, condition, invokeCount, functionError, Date.now(), this.source.batchInfoKey);
        if (mapping.onFailureQueueUrl) {
          await deps.sqs.send(new SendMessageCommand({ QueueUrl: mapping.onFailureQueueUrl, MessageBody: JSON.stringify(record) }));
        }
        deps.log(
          `${mapping.logicalId}: ${records.length} record(s) of ${records[0]!.shardId} discarded (${condition})` +
            (mapping.onFailureQueueUrl ? ' → on-failure queue' : ' with NO on-failure destination: they are gone'),
        );
      },
      sleep,
      now: Date.now,
      stopping: () => this.stopped,
    });
    addDelivery(this.stats, delivery);
  }
}

/** Takes the next batch off the buffer: at most `batchSize` records and 6 MB (always at least one record). */
function takeBatch(buffer: StreamRecord[], batchSize: number): StreamRecord[] {
  let count = 0;
  let bytes = 0;
  while (count < buffer.length && count < batchSize) {
    const size = buffer[count]!.data.byteLength;
    if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
    bytes += size;
    count += 1;
  }
  return buffer.splice(0, count);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
