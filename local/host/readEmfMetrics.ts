/**
 * The metric values of one CloudWatch Embedded Metric Format log line (what
 * Powertools Metrics prints), or undefined for any other line. The offline
 * dashboard charts the same metrics CloudWatch would receive.
 */
export function readEmfMetrics(line: string): Record<string, number> | undefined {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    return undefined;
  }
  const root = document as { _aws?: { CloudWatchMetrics?: { Metrics?: { Name?: unknown }[] }[] } } & Record<string, unknown>;
  const directives = root._aws?.CloudWatchMetrics;
  if (!Array.isArray(directives)) return undefined;
  const values: Record<string, number> = {};
  for (const directive of directives) {
    for (const metric of directive.Metrics ?? []) {
      if (typeof metric.Name !== 'string') continue;
      const value = root[metric.Name];
      // A metric may carry one value or a list of values (several addMetric calls).
      const numbers = Array.isArray(value) ? value : [value];
      const sum = numbers.reduce<number>((total, n) => (typeof n === 'number' && Number.isFinite(n) ? total + n : total), 0);
      values[metric.Name] = (values[metric.Name] ?? 0) + sum;
    }
  }
  return values;
}
