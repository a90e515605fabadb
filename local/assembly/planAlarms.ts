import { assertSupportedStatistic, UnsupportedStatisticError } from '../alarms/computeStatistic';
import { THRESHOLD_COMPARISONS, type LocalAlarm, type LocalMetric, type LocalMetricQuery, type TreatMissingData } from '../alarms/LocalAlarm';
import { expressionIds, parseMetricExpression, UnsupportedExpressionError } from '../alarms/MetricExpression';
import type { SynthesizedStack, TemplateResource } from './CloudAssembly';
import { localPseudoParameters } from './localPseudoParameters';
import { resolveIntrinsics, type IntrinsicContext, type ResolvedResource } from './resolveIntrinsics';

/**
 * The AWS metrics the offline runtime produces, and from what (the function
 * host records them as CloudWatch would receive them). Any other `AWS/…`
 * metric has a reason in NOT_PRODUCED or is "not produced offline".
 */
export const PRODUCED_AWS_METRICS: Readonly<Record<string, readonly string[]>> = {
  // Per invocation, from the host's invocations of the function.
  'AWS/Lambda': ['Errors', 'Invocations', 'Duration', 'IteratorAge'],
  // Each poll's MillisBehindLatest of the stream's event source mapping.
  'AWS/Kinesis': ['GetRecords.IteratorAgeMilliseconds'],
  // The queue's attributes on fauxqs, read every second.
  'AWS/SQS': ['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible'],
  // Per request, from the local API's responses.
  'AWS/ApiGateway': ['Count', '5XXError', '4XXError', 'Latency'],
};

/** Why an AWS metric has no offline counterpart, by namespace. */
export const NOT_PRODUCED: Readonly<Record<string, string>> = {
  'AWS/DynamoDB': 'DynamoDB Local never throttles and reports no CloudWatch metrics',
  'AWS/Kinesis': 'kinesis-mock enforces no shard throughput limits, so nothing is ever throttled offline',
  'AWS/DAX': 'DAX is not emulated offline (the local double is a pass-through cache)',
  'AWS/SNS': 'fauxqs reports no SNS delivery metrics',
  'AWS/SQS': 'only the queue depths are read offline (no queue attribute carries the age of the oldest message or the sent/received counts)',
};

/** Lambda IteratorAge of a DynamoDB Streams consumer. */
const NO_DYNAMODB_ITERATOR_AGE = "DynamoDB Local's GetRecords reports no MillisBehindLatest, so the local poller knows no iterator age of a DynamoDB stream";

/**
 * The template's CloudWatch alarms as the local evaluator runs them: each
 * alarm's metric or metric math queries (dimension values resolved to the
 * local names: a function's, queue's or stream's logical id, a stage's name),
 * threshold rule and actions (the topics' logical ids). An alarm on a metric
 * nothing produces offline, or with math or a statistic outside the subset
 * evaluated here, carries the reason instead. Pure: it reads the template
 * only, so a test can plan from a synthesized app without bundles.
 */
export function planAlarms(stack: SynthesizedStack): LocalAlarm[] {
  const resources = Object.entries(stack.template.Resources);
  const context: IntrinsicContext = { resources: placeholders(resources), pseudo: localPseudoParameters(stack.stackName) };
  const dynamoDbConsumers = dynamoDbStreamConsumers(resources);
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, resource]) => toLocalAlarm(logicalId, resolveIntrinsics(resource.Properties ?? {}, context) as AlarmProperties, dynamoDbConsumers));
}

interface MetricStatProperties {
  readonly Metric?: { readonly Namespace?: string; readonly MetricName?: string; readonly Dimensions?: readonly { Name: string; Value: unknown }[] };
  readonly Period?: number;
  readonly Stat?: string;
}

interface AlarmProperties {
  readonly AlarmName?: string;
  readonly AlarmDescription?: string;
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: readonly { Name: string; Value: unknown }[];
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Period?: number;
  readonly Metrics?: readonly { Id: string; Label?: string; ReturnData?: boolean; Expression?: string; MetricStat?: MetricStatProperties }[];
  readonly ComparisonOperator?: string;
  readonly Threshold?: number;
  readonly EvaluationPeriods?: number;
  readonly DatapointsToAlarm?: number;
  readonly TreatMissingData?: string;
  readonly ActionsEnabled?: boolean | string;
  readonly AlarmActions?: readonly unknown[];
  readonly OKActions?: readonly unknown[];
  readonly InsufficientDataActions?: readonly unknown[];
}

function toLocalAlarm(logicalId: string, props: AlarmProperties, dynamoDbConsumers: ReadonlySet<string>): LocalAlarm {
  const queries = toQueries(props);
  const stats = queries.filter((query): query is Extract<LocalMetricQuery, { metric: LocalMetric }> => 'metric' in query);
  const evaluationPeriods = Number(props.EvaluationPeriods ?? 1);
  const treatMissingData = (['missing', 'ignore', 'breaching', 'notBreaching'] as const).find((value) => value === props.TreatMissingData) ?? 'missing';
  const alarm: Omit<LocalAlarm, 'notEvaluatedReason'> = {
    logicalId,
    alarmName: props.AlarmName ?? logicalId,
    description: props.AlarmDescription ?? '',
    queries,
    periodSeconds: Number(props.Period ?? stats[0]?.periodSeconds ?? 60),
    comparison: String(props.ComparisonOperator),
    threshold: Number(props.Threshold ?? 0),
    evaluationPeriods,
    datapointsToAlarm: Number(props.DatapointsToAlarm ?? evaluationPeriods),
    treatMissingData: treatMissingData satisfies TreatMissingData,
    actionsEnabled: props.ActionsEnabled !== false && props.ActionsEnabled !== 'false',
    alarmActions: (props.AlarmActions ?? []).map(String),
    okActions: (props.OKActions ?? []).map(String),
    insufficientDataActions: (props.InsufficientDataActions ?? []).map(String),
  };
  const reason = notEvaluatedReason(alarm, dynamoDbConsumers);
  return reason === undefined ? alarm : { ...alarm, notEvaluatedReason: reason };
}

/** A single-metric alarm becomes the one query `m1`, so both kinds evaluate alike. */
function toQueries(props: AlarmProperties): LocalMetricQuery[] {
  if (props.Metrics) {
    return props.Metrics.map((entry) => {
      const common = { id: entry.Id, returnData: entry.ReturnData !== false, ...(entry.Label === undefined ? {} : { label: entry.Label }) };
      if (entry.Expression !== undefined) return { ...common, expression: entry.Expression };
      const stat = entry.MetricStat ?? {};
      return { ...common, metric: toMetric(stat.Metric ?? {}), statistic: String(stat.Stat), periodSeconds: Number(stat.Period ?? 60) };
    });
  }
  return [
    {
      id: 'm1',
      returnData: true,
      metric: toMetric(props),
      statistic: String(props.ExtendedStatistic ?? props.Statistic),
      periodSeconds: Number(props.Period ?? 60),
    },
  ];
}

function toMetric(metric: { Namespace?: string; MetricName?: string; Dimensions?: readonly { Name: string; Value: unknown }[] }): LocalMetric {
  return {
    namespace: String(metric.Namespace),
    metricName: String(metric.MetricName),
    dimensions: Object.fromEntries((metric.Dimensions ?? []).map((dimension) => [dimension.Name, String(dimension.Value)])),
  };
}

function notEvaluatedReason(alarm: Omit<LocalAlarm, 'notEvaluatedReason'>, dynamoDbConsumers: ReadonlySet<string>): string | undefined {
  if (!(THRESHOLD_COMPARISONS as readonly string[]).includes(alarm.comparison)) return `${alarm.comparison} (an anomaly detection band) is not evaluated offline`;
  const returned = alarm.queries.filter((query) => query.returnData);
  if (returned.length !== 1) return `an alarm must return exactly one series, this one returns ${returned.length}`;
  for (const query of alarm.queries) {
    if ('expression' in query) {
      try {
        const unknown = expressionIds(parseMetricExpression(query.expression)).filter((id) => !alarm.queries.some((other) => other.id === id));
        if (unknown.length > 0) return `metric math "${query.expression}" reads ${unknown.join(', ')}, which the alarm does not define`;
      } catch (error) {
        if (error instanceof UnsupportedExpressionError) return error.message;
        throw error;
      }
      continue;
    }
    try {
      assertSupportedStatistic(query.statistic);
    } catch (error) {
      if (error instanceof UnsupportedStatisticError) return error.message;
      throw error;
    }
    const { namespace, metricName, dimensions } = query.metric;
    if (!namespace.startsWith('AWS/')) continue;
    if (namespace === 'AWS/Lambda' && metricName === 'IteratorAge' && dynamoDbConsumers.has(dimensions.FunctionName ?? '')) return `${namespace} ${metricName}: ${NO_DYNAMODB_ITERATOR_AGE}`;
    if (PRODUCED_AWS_METRICS[namespace]?.includes(metricName)) continue;
    return `${namespace} ${metricName}: ${NOT_PRODUCED[namespace] ?? 'not produced offline'}`;
  }
  return undefined;
}

/** Functions (logical ids) fed by a DynamoDB stream: their event source mapping reads a table's StreamArn. */
function dynamoDbStreamConsumers(resources: readonly [string, TemplateResource][]): Set<string> {
  const consumers = new Set<string>();
  for (const [, resource] of resources.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')) {
    const source = resource.Properties?.EventSourceArn as { 'Fn::GetAtt'?: unknown[] } | undefined;
    const functionName = resource.Properties?.FunctionName as { Ref?: string } | string | undefined;
    if (source?.['Fn::GetAtt']?.[1] !== 'StreamArn') continue;
    consumers.add(typeof functionName === 'string' ? functionName : String(functionName?.Ref));
  }
  return consumers;
}

/**
 * What the template's references stand for offline: a resource's logical id is
 * its local name (functions, streams, queues, topics), a queue's QueueName is
 * its logical id, and a stage's Ref is its stage name, as on AWS.
 */
function placeholders(resources: readonly [string, TemplateResource][]): Map<string, ResolvedResource> {
  const resolved = new Map<string, ResolvedResource>();
  for (const [logicalId, resource] of resources) {
    const attributes: Record<string, string> = { Arn: logicalId, QueueName: logicalId, TopicName: logicalId, TopicArn: logicalId, StreamArn: logicalId };
    const ref = resource.Type === 'AWS::ApiGateway::Stage' ? String(resource.Properties?.StageName ?? logicalId) : logicalId;
    resolved.set(logicalId, { ref, attributes });
  }
  return resolved;
}
