import type { SequenceRange } from '../core/delivery/sequenceNumbers';

/** The range a Kinesis event source mapping's on-failure message (KinesisBatchInfo) points at, or undefined when it is something else. */
export function kinesisRangeOf(body: string | undefined): SequenceRange | undefined {
  try {
    const info = (JSON.parse(body ?? '') as { KinesisBatchInfo?: { shardId?: unknown; startSequenceNumber?: unknown; endSequenceNumber?: unknown } }).KinesisBatchInfo;
    if (!info || typeof info.shardId !== 'string' || typeof info.startSequenceNumber !== 'string' || typeof info.endSequenceNumber !== 'string') return undefined;
    return { shardId: info.shardId, first: info.startSequenceNumber, last: info.endSequenceNumber };
  } catch {
    return undefined;
  }
}
