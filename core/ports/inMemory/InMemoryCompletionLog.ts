import type { CompletionLog } from '../CompletionLog';
import type { SequenceRange } from '../../delivery/sequenceNumbers';

/** The completion log in memory. */
export class InMemoryCompletionLog implements CompletionLog {
  public readonly ranges: SequenceRange[] = [];

  public async recordCompleted(range: SequenceRange): Promise<void> {
    this.ranges.push(range);
  }

  public async isCompleted(range: SequenceRange): Promise<boolean> {
    return this.ranges.some((r) => r.shardId === range.shardId && BigInt(r.first) <= BigInt(range.first) && BigInt(r.last) >= BigInt(range.last));
  }
}
