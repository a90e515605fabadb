import type { MetricAlert } from '../alerts/MetricAlert';

/**
 * Where `metric-alert` events go (the alert topic in AWS). Idempotent by
 * `transitionId`: publishing a transition again after it was published sends
 * nothing (Powertools idempotency in AWS, as the change publisher does).
 */
export interface AlertPublisher {
  publish(alert: MetricAlert): Promise<void>;
}
