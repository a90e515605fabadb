import type { FinalWindow } from '../../alerts/FinalWindow';
import type { GroupWindows } from '../GroupWindows';

/** Windows in memory: what the aggregator wrote, by metric and group. */
export class InMemoryGroupWindows implements GroupWindows {
  public readonly windows: FinalWindow[] = [];
  /** How many reads were made. */
  public reads = 0;

  public async windowsBetween(metric: string, group: string, afterMs: number, beforeMs: number): Promise<FinalWindow[]> {
    this.reads += 1;
    return this.windows.filter((w) => w.metric === metric && w.group === group && w.startMs > afterMs && w.startMs < beforeMs).sort((a, b) => a.startMs - b.startMs);
  }
}
