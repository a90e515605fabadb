/**
 * The correctness audit's CloudWatch metrics (namespace `Tributary`, dimension
 * `service` = `tributary-audit`), named once for the audit function that emits
 * them and the stack whose duplicate-rate, loss-rate and audit-failed alarms
 * read them.
 */
export const AUDIT_METRICS = {
  namespace: 'Tributary',
  serviceDimension: { name: 'service', value: 'tributary-audit' },
  /** Windows recounted in a run. */
  auditedWindows: 'AuditedWindows',
  /** Audited windows whose recount differs from what they hold. */
  mismatchedWindows: 'MismatchedWindows',
  /** Events counted beyond those that exist (double counting), summed over the run's windows. */
  surplusEvents: 'AuditSurplusEvents',
  /** Accepted events the windows never applied (loss), summed over the run's windows. */
  deficitEvents: 'AuditDeficitEvents',
  /** Distinct raw events recounted: the duplicate rate's denominator. */
  auditedEvents: 'AuditedEvents',
  /** Read capacity the run consumed (RCUs, DynamoDB's ConsumedCapacity). */
  readUnits: 'AuditReadUnits',
  /** Runs that threw (1 per failed run); Lambda's Errors and the audit DLQ say the same. */
  runsFailed: 'AuditRunsFailed',
} as const;
