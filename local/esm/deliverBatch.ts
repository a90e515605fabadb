import type { Invoke } from './InvokeResult';
import type { EsmSettings } from './EsmSettings';
import type { DiscardCondition } from './OnFailureRecord';
import { compareSequenceNumbers, type StreamRecord } from './StreamRecord';

/** What deliverBatch needs from the outside world. */
export interface BatchDeliveryDeps {
  readonly invoke: Invoke;
  /** Builds the function's event for a batch (Kinesis or DynamoDB Streams shape). */
  readonly toEvent: (records: readonly StreamRecord[]) => unknown;
  /** Every record up to and including `last` is finished; the checkpoint may move past it. */
  readonly onFinished: (last: StreamRecord) => Promise<void>;
  /** Records given up on: sent to the on-failure destination (or dropped if none), then finished. */
  readonly discard: (
    records: readonly StreamRecord[],
    condition: DiscardCondition,
    approximateInvokeCount: number,
    functionError: string | undefined,
  ) => Promise<void>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** True once the host is shutting down: stop before the next invocation, leaving the rest unfinished (not checkpointed). */
  readonly stopping?: () => boolean;
}

/** Counters of one delivery, for status and tests. */
export interface DeliveryStats {
  invocations: number;
  functionErrors: number;
  partialFailures: number;
  bisections: number;
  processedRecords: number;
  discardedRecords: number;
}

export function emptyDeliveryStats(): DeliveryStats {
  return { invocations: 0, functionErrors: 0, partialFailures: 0, bisections: 0, processedRecords: 0, discardedRecords: 0 };
}

interface Segment {
  readonly records: readonly StreamRecord[];
  /** Retries used so far (function errors and failed partial responses); splits do not count. */
  readonly retries: number;
  /** Invocations of this segment and its ancestors, for `approximateInvokeCount`. */
  readonly invocations: number;
}

/**
 * Delivers one batch of a shard to the function following the Lambda event
 * source mapping contract, until every record is processed or discarded:
 *
 * - MaximumRecordAgeInSeconds: records older than the limit are discarded
 *   before an invocation (condition RecordAgeExceeded).
 * - ReportBatchItemFailures: `{ batchItemFailures: [{ itemIdentifier }] }`; an
 *   empty list or null response is success; records before the LOWEST failed
 *   sequence number are finished and the retry starts at it (this is also the
 *   split point when bisect is on). A missing, empty or unknown identifier
 *   fails the whole batch.
 * - BisectBatchOnFunctionError: a function error splits the batch in two; the
 *   halves run in order and the split does not use up a retry.
 * - MaximumRetryAttempts: each function error (that is not split) or failed
 *   partial response uses one retry; past the limit the records are discarded
 *   (condition RetryAttemptsExhausted). -1 retries until the records age out.
 *
 * Records finish strictly in sequence order, so the caller's checkpoint only
 * ever moves forward over finished records.
 */
export async function deliverBatch(records: readonly StreamRecord[], settings: EsmSettings, deps: BatchDeliveryDeps): Promise<DeliveryStats> {
  const stats = emptyDeliveryStats();
  const baseDelayMs = settings.retryBaseDelayMs ?? 100;
  const maxDelayMs = settings.retryMaxDelayMs ?? 2_000;
  const queue: Segment[] = [{ records, retries: 0, invocations: 0 }];

  const discard = async (segment: readonly StreamRecord[], condition: DiscardCondition, invocations: number, functionError?: string): Promise<void> => {
    await deps.discard(segment, condition, invocations, functionError);
    stats.discardedRecords += segment.length;
    await deps.onFinished(segment[segment.length - 1]!);
  };
  const retryOrDiscard = async (segment: Segment, functionError: string | undefined): Promise<void> => {
    const retries = segment.retries + 1;
    if (settings.maximumRetryAttempts >= 0 && retries > settings.maximumRetryAttempts) {
      await discard(segment.records, 'RetryAttemptsExhausted', segment.invocations, functionError);
      return;
    }
    await deps.sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (retries - 1)));
    queue.unshift({ ...segment, retries });
  };

  while (queue.length > 0) {
    if (deps.stopping?.()) break;
    let segment = queue.shift()!;

    if (settings.maximumRecordAgeSeconds >= 0) {
      const oldestAllowedMs = deps.now() - settings.maximumRecordAgeSeconds * 1_000;
      // Arrival times never decrease within a shard: the expired records are a prefix.
      const firstFresh = segment.records.findIndex((record) => record.approximateArrivalMs >= oldestAllowedMs);
      const expired = firstFresh === -1 ? segment.records : segment.records.slice(0, firstFresh);
      if (expired.length > 0) {
        await discard(expired, 'RecordAgeExceeded', segment.invocations);
        if (firstFresh === -1) continue;
        segment = { ...segment, records: segment.records.slice(firstFresh) };
      }
    }

    stats.invocations += 1;
    segment = { ...segment, invocations: segment.invocations + 1 };
    const result = await deps.invoke(deps.toEvent(segment.records));

    if (!result.ok) {
      stats.functionErrors += 1;
      if (settings.bisectBatchOnFunctionError && segment.records.length > 1) {
        stats.bisections += 1;
        const middle = Math.ceil(segment.records.length / 2);
        queue.unshift(
          { ...segment, records: segment.records.slice(0, middle) },
          { ...segment, records: segment.records.slice(middle) },
        );
        continue;
      }
      await retryOrDiscard(segment, 'Unhandled');
      continue;
    }

    const failedAt = settings.reportBatchItemFailures ? firstFailedIndex(result.payload, segment.records) : -1;
    if (failedAt === -1) {
      stats.processedRecords += segment.records.length;
      await deps.onFinished(segment.records[segment.records.length - 1]!);
      continue;
    }
    stats.partialFailures += 1;
    if (failedAt > 0) {
      stats.processedRecords += failedAt;
      await deps.onFinished(segment.records[failedAt - 1]!);
    }
    await retryOrDiscard({ ...segment, records: segment.records.slice(failedAt) }, undefined);
  }
  return stats;
}

/**
 * Index of the record to retry from, per the partial batch response: -1 when
 * the batch succeeded, 0 when the response fails the whole batch.
 */
export function firstFailedIndex(payload: unknown, records: readonly StreamRecord[]): number {
  if (payload === null || payload === undefined || typeof payload !== 'object') return -1;
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return -1;
  if (!Array.isArray(failures)) return 0;
  if (failures.length === 0) return -1;
  let lowest: string | undefined;
  for (const failure of failures) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof identifier !== 'string' || identifier.length === 0 || !/^\d+$/.test(identifier)) return 0;
    if (lowest === undefined || compareSequenceNumbers(identifier, lowest) < 0) lowest = identifier;
  }
  const index = records.findIndex((record) => record.sequenceNumber === lowest);
  // An identifier that is not in the batch fails the whole batch.
  return index === -1 ? 0 : index;
}
