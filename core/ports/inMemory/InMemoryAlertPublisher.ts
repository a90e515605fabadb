import type { MetricAlert } from '../../alerts/MetricAlert';
import type { AlertPublisher } from '../AlertPublisher';

/** Published alerts in memory, each transition once (as the idempotent publisher sends it). */
export class InMemoryAlertPublisher implements AlertPublisher {
  public readonly sent: MetricAlert[] = [];
  /** How often publish was called, repeats included. */
  public calls = 0;

  public async publish(alert: MetricAlert): Promise<void> {
    this.calls += 1;
    if (this.sent.some((sent) => sent.transitionId === alert.transitionId)) return;
    this.sent.push(alert);
  }
}
