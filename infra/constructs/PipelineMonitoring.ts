import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { DefaultDashboardFactory, LatencyType, MonitoringFacade, SnsAlarmActionStrategy, type CustomMetricGroup } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { AUDIT_METRICS } from '../../core/observability/AUDIT_METRICS';
import { BUSINESS_METRICS } from '../../core/alerts/BUSINESS_METRICS';
import { SLO_METRICS } from '../../core/observability/SLO_METRICS';
import { ALARM_THRESHOLDS } from './ALARM_THRESHOLDS';

/** A resource with the name its dashboard section and alarms carry. */
export interface Named<T> {
  readonly name: string;
  readonly resource: T;
}

/** What the dashboard shows and the alarms watch, in the order an event flows. */
export interface PipelineMonitoringProps {
  readonly api: apigateway.RestApi;
  /** The functions behind the API (ingest, query). */
  readonly apiFunctions: readonly Named<lambda.IFunction>[];
  readonly stream: kinesis.IStream;
  /** The stream's retention: records older than this are gone, a DLQ entry pointing at them unredrivable. */
  readonly streamRetentionHours: number;
  /** The smallest maximum record age of the Kinesis consumers: beyond it a record goes to their DLQ. */
  readonly maxRecordAgeSeconds: number;
  /** The Kinesis consumers (aggregator, archiver). */
  readonly streamConsumers: readonly Named<lambda.IFunction>[];
  /** The DynamoDB-stream consumer (change publisher) and its maximum record age; DynamoDB streams keep 24 h. */
  readonly changeConsumer: Named<lambda.IFunction> & { readonly maxRecordAgeSeconds: number };
  /** Functions on an EventBridge schedule (the idle-finalisation clock): errors, throttles, duration. @default none */
  readonly scheduledFunctions?: readonly Named<lambda.IFunction>[];
  readonly deadLetterQueues: readonly Named<sqs.IQueue>[];
  readonly tables: readonly Named<dynamodb.ITable>[];
  /** The DAX cluster's name, when there is one. */
  readonly daxClusterName?: string;
  /** Where every alarm notifies. */
  readonly alarmTopic: sns.ITopic;
  /** The metric definitions' names: a lag p95 and a watermark delay line each (dimension `Metric`). */
  readonly metricNames: readonly string[];
  /**
   * The correctness audit's function and schedule, when it is deployed: its measurements replace
   * DuplicatesDropped in the duplicate-rate objective, and add the loss-rate alarm and the audit panel.
   */
  readonly audit?: Named<lambda.IFunction> & { readonly scheduleMinutes: number };
  /** The alert function (second consumer of the aggregates stream), its DLQ; absent when no metric declares alerts or published series. */
  readonly alertConsumer?: Named<lambda.IFunction> & { readonly maxRecordAgeSeconds: number; readonly deadLetterQueue: sqs.IQueue };
  /** The alert-state table, with the alert function. */
  readonly alertStateTable?: dynamodb.ITable;
  /** The published business metrics (a metric definition's `publish`), one line each. @default none */
  readonly publishedSeries?: readonly PublishedSeriesLine[];
}

/** One published business metric: a value of one group of one metric definition. */
export interface PublishedSeriesLine {
  readonly metric: string;
  readonly group: string;
  /** The aggregation's name, or `<quantiles aggregation>.<label>`. */
  readonly value: string;
}

/** How long a DynamoDB stream keeps its records (fixed by DynamoDB). */
const DYNAMODB_STREAM_RETENTION_MS = 24 * 3_600_000;

/**
 * The pipeline's CloudWatch dashboard and alarms, built with
 * cdk-monitoring-constructs' MonitoringFacade: one section per stage in the
 * order an event flows (ingest API, stream, consumers, DLQs, tables, DAX,
 * Tributary's own metrics), every alarm to one SNS topic, thresholds from
 * ALARM_THRESHOLDS. DAX and Tributary's EMF metrics have no monitor in the
 * library, so they are `monitorCustom` sections (the library's custom section
 * takes any metric or metric math and still creates its alarms).
 */
export class PipelineMonitoring extends Construct {
  public readonly facade: MonitoringFacade;
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;
    const minute = Duration.minutes(1);
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: true,
        // One topic, on alarm and on OK: a page resolves itself.
        action: new SnsAlarmActionStrategy({ onAlarmTopic: props.alarmTopic, onOkTopic: props.alarmTopic }),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
      metricFactoryDefaults: { period: Duration.minutes(5) },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: prefix,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    const dashboard = this.facade.createdDashboard();
    if (!dashboard) throw new Error('MonitoringFacade created no dashboard');
    this.dashboard = dashboard;

    // 1. Ingest: the API, then the functions behind it.
    this.facade.addLargeHeader('1. Ingest API');
    this.facade.monitorApiGateway({
      api: props.api,
      alarmFriendlyName: 'Api',
      humanReadableName: 'Ingest and query API',
      latencyTypesToRender: [LatencyType.P50, LatencyType.P99],
      add5XXFaultRateAlarm: {
        Warning: { maxErrorRate: ALARM_THRESHOLDS.api5xxFaultFraction.Warning },
        Critical: { maxErrorRate: ALARM_THRESHOLDS.api5xxFaultFraction.Critical },
      },
    });
    for (const { name, resource } of props.apiFunctions) {
      this.facade.monitorLambdaFunction({ lambdaFunction: resource, alarmFriendlyName: name, humanReadableName: `${name} function`, isIterator: false, addFaultCountAlarm: { Warning: { maxErrorCount: ALARM_THRESHOLDS.functionErrors } } });
    }

    // 2. Stream.
    const retentionMs = props.streamRetentionHours * 3_600_000;
    this.facade.addLargeHeader('2. Stream');
    this.facade.monitorKinesisDataStream({
      streamName: props.stream.streamName,
      alarmFriendlyName: 'Stream',
      humanReadableName: 'Event stream',
      addIteratorMaxAgeAlarm: {
        // Records at the head are this old: half the retention left to redrive them.
        Critical: { maxAgeInMillis: retentionMs * ALARM_THRESHOLDS.iteratorAge.criticalFractionOfRetention, period: minute },
        // Half the way to the maximum record age, past which the ESM sends them to the DLQ.
        Warning: { maxAgeInMillis: props.maxRecordAgeSeconds * 1_000 * ALARM_THRESHOLDS.iteratorAge.warningFractionOfMaxRecordAge, period: minute },
      },
      addWriteProvisionedThroughputExceededAlarm: { Warning: { maxRecordsThrottledThreshold: ALARM_THRESHOLDS.streamThroughputExceeded } },
      addReadProvisionedThroughputExceededAlarm: { Warning: { maxRecordsThrottledThreshold: ALARM_THRESHOLDS.streamThroughputExceeded } },
    });

    // 3. Consumers: errors, throttles, duration, concurrency, iterator age.
    this.facade.addLargeHeader('3. Consumers');
    for (const { name, resource } of props.streamConsumers) {
      this.facade.monitorLambdaFunction({ lambdaFunction: resource, alarmFriendlyName: name, humanReadableName: `${name} (Kinesis consumer)`, addFaultCountAlarm: { Warning: { maxErrorCount: ALARM_THRESHOLDS.functionErrors } } });
    }
    const change = props.changeConsumer;
    this.facade.monitorLambdaFunction({
      lambdaFunction: change.resource,
      alarmFriendlyName: change.name,
      humanReadableName: `${change.name} (aggregates table stream consumer)`,
      addFaultCountAlarm: { Warning: { maxErrorCount: ALARM_THRESHOLDS.functionErrors } },
      // The same two margins as the Kinesis stream's, against DynamoDB streams' fixed 24 h.
      addMaxIteratorAgeAlarm: {
        Critical: { maxAgeInMillis: DYNAMODB_STREAM_RETENTION_MS * ALARM_THRESHOLDS.iteratorAge.criticalFractionOfRetention, period: minute },
        Warning: { maxAgeInMillis: change.maxRecordAgeSeconds * 1_000 * ALARM_THRESHOLDS.iteratorAge.warningFractionOfMaxRecordAge, period: minute },
      },
    });

    // Scheduled functions: an error is a tick retried by Lambda, then its event in the function's DLQ.
    for (const { name, resource } of props.scheduledFunctions ?? []) {
      this.facade.monitorLambdaFunction({ lambdaFunction: resource, alarmFriendlyName: name, humanReadableName: `${name} (scheduled)`, isIterator: false, addFaultCountAlarm: { Warning: { maxErrorCount: ALARM_THRESHOLDS.functionErrors } } });
    }

    // 4. Dead-letter queues: any message is a batch waiting for `tributary redrive`.
    this.facade.addLargeHeader('4. Dead-letter queues');
    for (const { name, resource } of props.deadLetterQueues) {
      this.facade.monitorSqsQueue({ queue: resource, alarmFriendlyName: name, humanReadableName: `${name} DLQ`, addQueueMaxSizeAlarm: { Critical: { maxMessageCount: ALARM_THRESHOLDS.deadLetterMessages, period: minute } } });
    }

    // 5. Tables.
    this.facade.addLargeHeader('5. Tables');
    for (const { name, resource } of props.tables) {
      this.facade.monitorDynamoTable({
        table: resource,
        alarmFriendlyName: name,
        humanReadableName: `${name} table`,
        addReadThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: ALARM_THRESHOLDS.tableThrottledEvents } },
        addWriteThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: ALARM_THRESHOLDS.tableThrottledEvents } },
      });
    }

    // 6. DAX: the library has no DAX monitor.
    if (props.daxClusterName) {
      this.facade.addLargeHeader('6. DAX');
      const dax = (metricName: string, label: string): cloudwatch.Metric => new cloudwatch.Metric({ namespace: 'AWS/DAX', metricName, dimensionsMap: { ClusterId: props.daxClusterName! }, statistic: 'Sum', label });
      this.facade.monitorCustom({
        alarmFriendlyName: 'Dax',
        humanReadableName: 'DAX cache',
        metricGroups: [
          { title: 'Item cache', metrics: [dax('ItemCacheHits', 'hits'), dax('ItemCacheMisses', 'misses')] },
          { title: 'Query cache', metrics: [dax('QueryCacheHits', 'hits'), dax('QueryCacheMisses', 'misses')] },
          { title: 'Throttled and failed requests', metrics: [dax('ThrottledRequestCount', 'throttled'), dax('FailedRequestCount', 'failed')] },
        ],
      });
    }

    // 7. Tributary's own metrics and the objectives.
    this.facade.addLargeHeader('7. Tributary: objectives and counts');
    this.facade.monitorCustom({
      alarmFriendlyName: 'Objectives',
      humanReadableName: 'Service-level objectives (aggregator)',
      metricGroups: [...objectiveGroups(props.audit === undefined), ...(props.audit ? auditObjectiveGroups(props.audit.scheduleMinutes) : []), ...perMetricGroups(props.metricNames)],
    });

    // 8. The correctness audit: its results, its cost, and its own failures.
    if (props.audit) {
      this.facade.addLargeHeader('8. Correctness audit');
      this.facade.monitorCustom({ alarmFriendlyName: 'Audit', humanReadableName: 'Correctness audit (recounts of final windows)', metricGroups: auditPanelGroups(props.audit.scheduleMinutes) });
      // A run that throws: Lambda's Errors (its retries included); the DLQ section alarms once they are spent.
      this.facade.monitorLambdaFunction({
        lambdaFunction: props.audit.resource,
        alarmFriendlyName: props.audit.name,
        humanReadableName: `${props.audit.name} function (scheduled)`,
        isIterator: false,
        addFaultCountAlarm: { Warning: { maxErrorCount: ALARM_THRESHOLDS.functionErrors } },
      });
    }

    // 9. Alerts on windowed metrics (issue 14): the alert function, its DLQ and state table, and the business metrics.
    if (props.alertConsumer) {
      const alerts = props.alertConsumer;
      this.facade.addLargeHeader('9. Alerts on windowed metrics');
      this.facade.monitorLambdaFunction({
        lambdaFunction: alerts.resource,
        alarmFriendlyName: alerts.name,
        humanReadableName: `${alerts.name} (aggregates table stream consumer)`,
        addFaultCountAlarm: { Warning: { maxErrorCount: ALARM_THRESHOLDS.functionErrors } },
        // The change publisher's margins: the same stream, the same mapping settings.
        addMaxIteratorAgeAlarm: {
          Critical: { maxAgeInMillis: DYNAMODB_STREAM_RETENTION_MS * ALARM_THRESHOLDS.iteratorAge.criticalFractionOfRetention, period: minute },
          Warning: { maxAgeInMillis: alerts.maxRecordAgeSeconds * 1_000 * ALARM_THRESHOLDS.iteratorAge.warningFractionOfMaxRecordAge, period: minute },
        },
      });
      this.facade.monitorSqsQueue({
        queue: alerts.deadLetterQueue,
        alarmFriendlyName: `${alerts.name}Dlq`,
        humanReadableName: `${alerts.name}Dlq DLQ`,
        addQueueMaxSizeAlarm: { Critical: { maxMessageCount: ALARM_THRESHOLDS.deadLetterMessages, period: minute } },
      });
      if (props.alertStateTable) {
        this.facade.monitorDynamoTable({
          table: props.alertStateTable,
          alarmFriendlyName: 'AlertStates',
          humanReadableName: 'AlertStates table',
          addReadThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: ALARM_THRESHOLDS.tableThrottledEvents } },
          addWriteThrottledEventsCountAlarm: { Warning: { maxThrottledEventsThreshold: ALARM_THRESHOLDS.tableThrottledEvents } },
        });
      }
    }
    const series = props.publishedSeries ?? [];
    if (series.length > 0) {
      this.facade.addLargeHeader('10. Business metrics');
      this.facade.monitorCustom({ alarmFriendlyName: 'Business', humanReadableName: 'Business metrics (published windows, at their start)', metricGroups: businessMetricGroups(series) });
    }
  }
}

/**
 * One graph per (metric definition, value), a line per group. Average over a
 * minute: a window emits one point at its start, and a redelivered one emits
 * the same point again, which the average does not notice (a sum would).
 */
function businessMetricGroups(series: readonly PublishedSeriesLine[]): CustomMetricGroup[] {
  const graphs = new Map<string, cloudwatch.Metric[]>();
  for (const line of series) {
    const title = `${line.metric}: ${line.value}`;
    const metric = new cloudwatch.Metric({
      namespace: BUSINESS_METRICS.namespace,
      metricName: line.value,
      dimensionsMap: { [BUSINESS_METRICS.metricDimension]: line.metric, [BUSINESS_METRICS.groupDimension]: line.group },
      statistic: 'Average',
      label: line.group,
      period: Duration.minutes(1),
    });
    graphs.set(title, [...(graphs.get(title) ?? []), metric]);
  }
  return [...graphs].map(([title, metrics]) => ({ title, metrics }));
}

/** An aggregator EMF metric (namespace Tributary, dimension service, and Metric when given). */
function tributaryMetric(metricName: string, statistic: string, label: string, metric?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: SLO_METRICS.namespace,
    metricName,
    dimensionsMap: { [SLO_METRICS.serviceDimension.name]: SLO_METRICS.serviceDimension.value, ...(metric === undefined ? {} : { [SLO_METRICS.metricDimension]: metric }) },
    statistic,
    label,
    period: Duration.minutes(ALARM_THRESHOLDS.objectives.periodMinutes),
  });
}

/** A share in %, 0 when nothing was counted in the period (not missing, so the alarm reads "OK" at rest). */
function percentOf(part: cloudwatch.Metric, rest: cloudwatch.Metric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'IF((FILL(part, 0) + FILL(rest, 0)) > 0, 100 * FILL(part, 0) / (FILL(part, 0) + FILL(rest, 0)), 0)',
    usingMetrics: { part, rest },
    label,
    period: Duration.minutes(ALARM_THRESHOLDS.objectives.periodMinutes),
  });
}

/** The objectives' graphs, each with its alarm, and the aggregator's counts; the duplicate rate from dropped duplicates only without the audit. */
function objectiveGroups(withoutAudit: boolean): CustomMetricGroup[] {
  const objectives = ALARM_THRESHOLDS.objectives;
  const sustained = { datapointsToAlarm: objectives.datapointsToAlarm, evaluationPeriods: objectives.datapointsToAlarm };
  const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const counted = tributaryMetric(SLO_METRICS.eventsCounted, 'Sum', 'events counted');
  const late = tributaryMetric(SLO_METRICS.lateEvents, 'Sum', 'late events');
  const duplicates = tributaryMetric(SLO_METRICS.duplicatesDropped, 'Sum', 'duplicates dropped');
  return [
    {
      title: 'Consumer lag p95 (objective < 5 s)',
      metrics: [
        {
          metric: tributaryMetric(SLO_METRICS.consumerLagMs, 'p95', 'lag p95'),
          alarmFriendlyName: 'ConsumerLagP95',
          addAlarm: { Warning: { threshold: objectives.consumerLagP95Ms, comparisonOperator: above, ...sustained } },
        },
      ],
    },
    {
      title: 'Batch duration p95 (objective < 10 s)',
      metrics: [
        {
          metric: tributaryMetric(SLO_METRICS.batchDurationMs, 'p95', 'batch duration p95'),
          alarmFriendlyName: 'BatchDurationP95',
          addAlarm: { Warning: { threshold: objectives.batchDurationP95Ms, comparisonOperator: above, ...sustained } },
        },
      ],
    },
    {
      title: 'Late-event rate % (objective < 1 %)',
      metrics: [
        {
          metric: percentOf(late, counted, 'late ÷ (late + counted) %'),
          alarmFriendlyName: 'LateEventRate',
          addAlarm: { Warning: { threshold: objectives.lateEventRatePercent, comparisonOperator: above, ...sustained } },
        },
      ],
    },
    // With the audit off nothing measures duplicates that got past deduplication: the rate
    // of those it dropped stands in (a rising one says producers retry hard).
    ...(withoutAudit
      ? [
          {
            title: 'Duplicate rate % (objective < 0.1 %; dropped duplicates: the audit is off)',
            metrics: [
              {
                metric: percentOf(duplicates, counted, 'dropped ÷ (counted + dropped) %'),
                alarmFriendlyName: 'DuplicateRate',
                addAlarm: { Warning: { threshold: objectives.duplicateRatePercent, comparisonOperator: above, ...sustained } },
              },
            ],
          },
        ]
      : []),
    { title: 'Events counted, late, duplicates dropped', metrics: [counted, late, duplicates] },
    { title: 'Windows finalised', metrics: [tributaryMetric(SLO_METRICS.windowsFinalized, 'Sum', 'windows finalised')] },
  ];
}

/** Lag p95 and watermark delay per metric definition: graphs only, the objectives' alarms are pipeline-wide. */
function perMetricGroups(metricNames: readonly string[]): CustomMetricGroup[] {
  return [
    { title: 'Consumer lag p95 per metric', metrics: metricNames.map((name) => tributaryMetric(SLO_METRICS.consumerLagMs, 'p95', name, name)) },
    { title: 'Watermark delay (now − watermark) per metric, maximum', metrics: metricNames.map((name) => tributaryMetric(SLO_METRICS.watermarkDelayMs, 'Maximum', name, name)) },
  ];
}

/**
 * The audit's alarm period: one run's measurement per period (the objectives' 5 minutes, or the
 * schedule's interval when runs are further apart, so a period never lacks its run).
 */
export function auditPeriodMinutes(scheduleMinutes: number): number {
  return Math.max(ALARM_THRESHOLDS.objectives.periodMinutes, scheduleMinutes);
}

/** An audit EMF metric (namespace Tributary, dimension service = tributary-audit), summed over the audit period. */
function auditMetric(metricName: string, label: string, scheduleMinutes: number): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: AUDIT_METRICS.namespace,
    metricName,
    dimensionsMap: { [AUDIT_METRICS.serviceDimension.name]: AUDIT_METRICS.serviceDimension.value },
    statistic: 'Sum',
    label,
    period: Duration.minutes(auditPeriodMinutes(scheduleMinutes)),
  });
}

/** `part` ÷ `whole` in %, 0 when the whole is 0 or missing (no run, or nothing audited: nothing measured against the objective). */
function percentOfWhole(part: cloudwatch.Metric, whole: cloudwatch.Metric, label: string, scheduleMinutes: number): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'IF(FILL(whole, 0) > 0, 100 * FILL(part, 0) / FILL(whole, 0), 0)',
    usingMetrics: { part, whole },
    label,
    period: Duration.minutes(auditPeriodMinutes(scheduleMinutes)),
  });
}

/**
 * The duplicate-rate objective measured by the audit (surplus ÷ audited events), and the loss
 * alarm: accepted means applied, so one missing event is critical. Each alarms on the first
 * breaching run: a surplus or deficit is a recount of stored data, not a noisy sample.
 */
function auditObjectiveGroups(scheduleMinutes: number): CustomMetricGroup[] {
  const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const once = { datapointsToAlarm: 1, evaluationPeriods: 1 };
  const surplus = auditMetric(AUDIT_METRICS.surplusEvents, 'surplus events', scheduleMinutes);
  const audited = auditMetric(AUDIT_METRICS.auditedEvents, 'audited events', scheduleMinutes);
  return [
    {
      title: 'Duplicate rate % (objective < 0.1 %): audit surplus ÷ audited events',
      metrics: [
        {
          metric: percentOfWhole(surplus, audited, 'surplus ÷ audited events %', scheduleMinutes),
          alarmFriendlyName: 'DuplicateRate',
          addAlarm: { Warning: { threshold: ALARM_THRESHOLDS.audit.duplicateRatePercent, comparisonOperator: above, ...once } },
        },
      ],
    },
    {
      title: 'Lost events (audit deficit; objective 0)',
      metrics: [
        {
          metric: auditMetric(AUDIT_METRICS.deficitEvents, 'deficit events', scheduleMinutes),
          alarmFriendlyName: 'LossRate',
          addAlarm: { Critical: { threshold: ALARM_THRESHOLDS.audit.deficitEvents, comparisonOperator: above, ...once } },
        },
      ],
    },
  ];
}

/** The audit panel: windows audited and mismatching, surplus and deficit, failed runs, and the read cost per window. */
function auditPanelGroups(scheduleMinutes: number): CustomMetricGroup[] {
  const audited = auditMetric(AUDIT_METRICS.auditedWindows, 'audited windows', scheduleMinutes);
  const readUnits = auditMetric(AUDIT_METRICS.readUnits, 'read units', scheduleMinutes);
  return [
    { title: 'Windows audited and mismatching', metrics: [audited, auditMetric(AUDIT_METRICS.mismatchedWindows, 'mismatched windows', scheduleMinutes)] },
    {
      title: 'Surplus (double counted) and deficit (lost) events',
      metrics: [auditMetric(AUDIT_METRICS.surplusEvents, 'surplus', scheduleMinutes), auditMetric(AUDIT_METRICS.deficitEvents, 'deficit', scheduleMinutes)],
    },
    { title: 'Failed runs', metrics: [auditMetric(AUDIT_METRICS.runsFailed, 'failed runs', scheduleMinutes)] },
    {
      // Every completed run reports AuditedWindows (0 when nothing was final): a gap here is a
      // run that never happened (a disabled rule). Graphed, not alarmed: offline, alarm periods run
      // 30× faster than schedules, so an alarm on missing runs would sit in ALARM there.
      title: 'Completed runs',
      metrics: [auditMetric(AUDIT_METRICS.auditedWindows, 'completed runs', scheduleMinutes).with({ statistic: 'SampleCount' })],
    },
    {
      title: 'Read cost (RCUs per audited window)',
      metrics: [
        new cloudwatch.MathExpression({
          expression: 'IF(FILL(windows, 0) > 0, FILL(units, 0) / FILL(windows, 0), 0)',
          usingMetrics: { units: readUnits, windows: audited },
          label: 'RCUs per window',
          period: Duration.minutes(auditPeriodMinutes(scheduleMinutes)),
        }),
      ],
    },
  ];
}
