import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ALARM_THRESHOLDS } from '../../infra/constructs/ALARM_THRESHOLDS';
import type { MetricDefinition } from '../../core/metrics/MetricDefinition';
import type { SynthesizedStack } from '../assembly/CloudAssembly';
import type { LocalPlan } from '../assembly/LocalPlan';
import type { LocalClients } from '../aws/localClients';
import type { HostStats } from '../host/FunctionHost';
import { DashboardServer, type DashboardStatus } from './DashboardServer';
import { declaredMetricsOf } from './declaredMetricsOf';
import { RecentWindows } from './RecentWindows';
import type { StatsHistory } from './StatsHistory';
import { TopicFeed } from './TopicFeed';

/** What the dashboard is built from; the supervisor hands these over. */
export interface LocalDashboardOptions {
  readonly port: number;
  readonly stack: SynthesizedStack;
  readonly plan: LocalPlan;
  /** Clients of the emulators themselves (not the chaos proxy). */
  readonly clients: LocalClients;
  readonly metrics: readonly MetricDefinition[];
  readonly history: StatsHistory;
  readonly status: () => DashboardStatus;
  readonly latestStats: () => HostStats | undefined;
  /** Where the feed's and the queue poll's failures go (the host log's neighbour, stderr). */
  readonly log: (message: string) => void;
}

/** How often the DLQs' depth is read: their alarms evaluate each minute on AWS. */
const DLQ_POLL_INTERVAL_MS = 5_000;
/** The alerts list keeps the most recent ones. */
const MAX_ALERTS = 50;

/**
 * The offline dashboard: its server, the subscription that feeds the business
 * view (`count-value-updated` and `metric-alert`, from the stack's topics), and
 * the DLQ depth poll. The supervisor only starts and closes it.
 */
export class LocalDashboard {
  public url = '';
  private readonly windows: RecentWindows;
  private readonly alerts: Readonly<Record<string, unknown>>[] = [];
  private readonly dlqDepth: Record<string, number> = {};
  private readonly server: DashboardServer;
  private feed: TopicFeed | undefined;
  private dlqTimer: NodeJS.Timeout | undefined;
  private readonly alertTopicArn: string | undefined;

  private constructor(private readonly options: LocalDashboardOptions) {
    this.windows = new RecentWindows(declaredMetricsOf(options.metrics));
    this.alertTopicArn = outputTopicArn(options.stack, options.plan, 'MetricAlertTopicArn');
    const objectives = ALARM_THRESHOLDS.objectives;
    this.server = new DashboardServer(() => ({
      status: options.status(),
      samples: options.history.snapshot(),
      lastMinute: options.history.lastMinute(),
      thresholds: {
        consumerLagP95Ms: objectives.consumerLagP95Ms,
        batchDurationP95Ms: objectives.batchDurationP95Ms,
        lateEventRatePercent: objectives.lateEventRatePercent,
        duplicateRatePercent: objectives.duplicateRatePercent,
      },
      // Before the host's first report there are no states to show, which is not the same as no alarms.
      ...(options.latestStats() ? { alarms: options.latestStats()!.alarms } : {}),
      alerts: { configured: this.alertTopicArn !== undefined, alerts: [...this.alerts] },
      windows: this.windows.snapshot(),
    }));
  }

  public static async start(options: LocalDashboardOptions): Promise<LocalDashboard> {
    const dashboard = new LocalDashboard(options);
    dashboard.url = await dashboard.server.listen(options.port);
    try {
      await dashboard.startFeed();
    } catch (error) {
      await dashboard.close();
      throw error;
    }
    dashboard.pollDeadLetterQueues();
    return dashboard;
  }

  /** What the history records with each host report. */
  public get deadLetterQueueDepths(): Readonly<Record<string, number>> {
    return this.dlqDepth;
  }

  public async close(): Promise<void> {
    clearTimeout(this.dlqTimer);
    this.dlqTimer = undefined;
    await this.feed?.stop();
    await this.server.close();
  }

  private async startFeed(): Promise<void> {
    const changesTopicArn = outputTopicArn(this.options.stack, this.options.plan, 'CountValueUpdatedTopicArn');
    const topicArns = [changesTopicArn, this.alertTopicArn].filter((arn): arn is string => arn !== undefined);
    if (topicArns.length === 0) return;
    this.feed = new TopicFeed({
      sqs: this.options.clients.sqs,
      sns: this.options.clients.sns,
      topicArns,
      onMessage: (message) => {
        if (message.kind === 'change') {
          const view = this.windows.apply(message.change);
          if (view) this.server.publishWindow(view);
        } else {
          this.alerts.unshift(message.alert);
          this.alerts.splice(MAX_ALERTS);
          this.server.publishAlert(message.alert);
        }
      },
      onError: (error) => this.options.log(`dashboard feed: ${(error as Error).message}`),
    });
    await this.feed.start();
  }

  /** The DLQs by their logical ids (`…DeadLetterQueue…`), read every few seconds; a failed read keeps the last depth. */
  private pollDeadLetterQueues(): void {
    const queues = Object.entries(this.options.plan.resources).filter(([logicalId, resource]) => resource.type === 'AWS::SQS::Queue' && /DeadLetterQueue|Dlq/i.test(logicalId));
    const poll = async (): Promise<void> => {
      await Promise.all(
        queues.map(async ([logicalId, resource]) => {
          try {
            const answer = await this.options.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: resource.physicalId, AttributeNames: ['ApproximateNumberOfMessages'] }));
            this.dlqDepth[logicalId] = Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0);
          } catch (error) {
            this.options.log(`dashboard: reading the depth of ${logicalId} failed: ${(error as Error).message}`);
          }
        }),
      );
    };
    const loop = (): void => {
      this.dlqTimer = setTimeout(() => {
        void poll().finally(() => {
          if (this.dlqTimer !== undefined) loop();
        });
      }, DLQ_POLL_INTERVAL_MS);
      this.dlqTimer.unref();
    };
    void poll();
    loop();
  }
}

/** The physical id of the resource a stack output refers to (`{ Ref: <topic> }` is the topic's ARN), when the template has that output. */
function outputTopicArn(stack: SynthesizedStack, plan: LocalPlan, outputName: string): string | undefined {
  const ref = (stack.template.Outputs?.[outputName]?.Value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? plan.resources[ref]?.physicalId : undefined;
}
