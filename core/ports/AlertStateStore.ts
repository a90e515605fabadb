import type { AlertState } from '../alerts/AlertState';
import type { MetricAlert } from '../alerts/MetricAlert';

/** One alert's stored state for one group, with the transitions written but not yet known to be published. */
export interface StoredAlertState {
  readonly state: AlertState;
  /** Transitions the last evaluation caused; cleared once published. */
  readonly pending: readonly MetricAlert[];
  /** Bumped by every write: the condition of the next one. */
  readonly version: number;
}

/**
 * Where alert states live (the alert-state table in AWS). Every write is
 * conditional on the version read, so two consumers evaluating windows of one
 * group cannot both move its state: the loser re-reads and re-evaluates.
 */
export interface AlertStateStore {
  /** The state under `key`, read strongly consistent; undefined before its first window. */
  read(key: string): Promise<StoredAlertState | undefined>;
  /**
   * Writes `state` with its `pending` transitions at `expectedVersion + 1`;
   * false when the stored version is not `expectedVersion` (0: no item yet).
   * `expiresAtMs` is when an untouched state may be forgotten.
   */
  write(key: string, state: AlertState, pending: readonly MetricAlert[], expectedVersion: number, expiresAtMs: number): Promise<boolean>;
  /** Clears the pending transitions, at `expectedVersion + 1`; false when another writer came first. */
  clearPending(key: string, expectedVersion: number): Promise<boolean>;
}
