/** One metric of one EMF log line, as CloudWatch ingests it. */
export interface EmfDatapoint {
  readonly namespace: string;
  readonly metricName: string;
  /** `Unit` of the metric definition, when the line names one (`Milliseconds`, `Count`). */
  readonly unit?: string;
  /**
   * Every dimension set of the directive with the line's values for it. CloudWatch
   * stores the values once per set, so an alarm on any one of them sees them all.
   */
  readonly dimensionSets: readonly Readonly<Record<string, string>>[];
  /** The values, in order: one, or a list (several `addMetric` calls on one name before a flush). */
  readonly values: readonly number[];
  /** `_aws.Timestamp`: when the function took the measurement, in epoch milliseconds. */
  readonly timestampMs: number;
}

interface EmfDirective {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: readonly { readonly Name?: unknown; readonly Unit?: unknown }[];
}

/**
 * The datapoints of one CloudWatch Embedded Metric Format log line (what
 * Powertools Metrics prints), or undefined for any other line. Values that are
 * not finite numbers are dropped, as CloudWatch rejects them; a line without a
 * usable `_aws.Timestamp` is stamped `receivedAtMs`.
 */
export function readEmfDatapoints(line: string, receivedAtMs: number): EmfDatapoint[] | undefined {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof document !== 'object' || document === null) return undefined;
  const root = document as { _aws?: { Timestamp?: unknown; CloudWatchMetrics?: unknown } } & Record<string, unknown>;
  const directives = root._aws?.CloudWatchMetrics;
  if (!Array.isArray(directives)) return undefined;
  const stamped = root._aws?.Timestamp;
  const timestampMs = typeof stamped === 'number' && Number.isFinite(stamped) ? stamped : receivedAtMs;
  const datapoints: EmfDatapoint[] = [];
  for (const directive of directives as EmfDirective[]) {
    if (typeof directive?.Namespace !== 'string') continue;
    const dimensionSets = toDimensionSets(directive.Dimensions, root);
    for (const metric of directive.Metrics ?? []) {
      if (typeof metric?.Name !== 'string') continue;
      const raw = root[metric.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter((n): n is number => typeof n === 'number' && Number.isFinite(n));
      if (values.length === 0) continue;
      datapoints.push({
        namespace: directive.Namespace,
        metricName: metric.Name,
        ...(typeof metric.Unit === 'string' ? { unit: metric.Unit } : {}),
        dimensionSets,
        values,
        timestampMs,
      });
    }
  }
  return datapoints;
}

/** `Dimensions: [["service"], ["service", "Metric"]]` with the values the line's root gives those keys. */
function toDimensionSets(dimensions: unknown, root: Record<string, unknown>): Record<string, string>[] {
  if (!Array.isArray(dimensions) || dimensions.length === 0) return [{}];
  return dimensions.map((set) =>
    Object.fromEntries((Array.isArray(set) ? set : []).filter((name): name is string => typeof name === 'string').map((name) => [name, String(root[name] ?? '')])),
  );
}
