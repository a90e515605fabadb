import type { AlertState } from '../../alerts/AlertState';
import type { MetricAlert } from '../../alerts/MetricAlert';
import type { AlertStateStore, StoredAlertState } from '../AlertStateStore';

/** Alert states in memory, with the same conditional writes as the table. */
export class InMemoryAlertStateStore implements AlertStateStore {
  public readonly items = new Map<string, StoredAlertState>();

  public async read(key: string): Promise<StoredAlertState | undefined> {
    return this.items.get(key);
  }

  public async write(key: string, state: AlertState, pending: readonly MetricAlert[], expectedVersion: number): Promise<boolean> {
    if ((this.items.get(key)?.version ?? 0) !== expectedVersion) return false;
    this.items.set(key, { state, pending, version: expectedVersion + 1 });
    return true;
  }

  public async clearPending(key: string, expectedVersion: number): Promise<boolean> {
    const item = this.items.get(key);
    if (!item || item.version !== expectedVersion) return false;
    this.items.set(key, { ...item, pending: [], version: expectedVersion + 1 });
    return true;
  }
}
