/**
 * The published business metrics (a metric definition's `publish`), named once
 * for the alert function that emits them and the stack that charts them.
 */
export const BUSINESS_METRICS = {
  namespace: 'Tributary/Business',
  /** The metric definition's name. */
  metricDimension: 'Metric',
  /** The group's value. */
  groupDimension: 'Group',
} as const;
