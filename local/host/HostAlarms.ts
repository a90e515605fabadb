import { appendFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalAlarm, LocalMetric } from '../alarms/LocalAlarm';
import { LocalAlarmEvaluator, type AlarmStateChange } from '../alarms/LocalAlarmEvaluator';
import type { LocalAlarmStatus } from '../alarms/LocalAlarmStatus';
import { actionsFor, alarmNotification } from '../alarms/alarmNotification';
import type { LocalPlan } from '../assembly/LocalPlan';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/Emulators';
import type { InvokeResult } from '../esm/InvokeResult';
import type { MappingStats } from '../esm/MappingStats';
import type { AccessLogEntry } from './AccessLogEntry';
import type { EmfDatapoint } from './readEmfDatapoints';

/** SQS attributes behind the AWS/SQS metrics the offline alarms can read. */
const QUEUE_METRICS: Readonly<Record<string, QueueAttributeName>> = {
  ApproximateNumberOfMessagesVisible: 'ApproximateNumberOfMessages',
  ApproximateNumberOfMessagesNotVisible: 'ApproximateNumberOfMessagesNotVisible',
};

export interface HostAlarmsDependencies {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly logDir: string;
  /** The host's log (host.log): evaluation and publishing errors go there, never up. */
  readonly log: (message: string) => void;
  readonly now?: () => number;
}

/**
 * The function host's side of the offline alarms: feeds the evaluator the
 * datapoints CloudWatch would get (the functions' EMF, Lambda's per-invocation
 * Errors/Invocations/Duration, API Gateway's per-request Count/4XXError/
 * 5XXError/Latency, the mappings' iterator ages and the queues' depths on
 * fauxqs, read once a tick), evaluates once a tick, and on each state change
 * publishes CloudWatch's notification to the state's action topics and
 * appends it to alarms.log. A failure in any of that is logged: alarms must
 * never take the host down.
 */
export class HostAlarms {
  private readonly evaluator: LocalAlarmEvaluator;
  private readonly queueUrls = new Map<string, string>();
  private readonly topicArns = new Map<string, string>();
  private readonly alarmsLog: string;
  private readonly now: () => number;
  private ticking = false;

  public constructor(
    plan: LocalPlan,
    alarms: readonly LocalAlarm[],
    timeScale: number,
    private readonly dependencies: HostAlarmsDependencies,
  ) {
    this.evaluator = new LocalAlarmEvaluator(alarms, timeScale);
    this.now = dependencies.now ?? Date.now;
    mkdirSync(dependencies.logDir, { recursive: true });
    this.alarmsLog = path.join(dependencies.logDir, 'alarms.log');
    // Created at start like the host's other logs, not at the first state change: the logs folder is complete once the pipeline is up.
    appendFileSync(this.alarmsLog, '');
    for (const [logicalId, resource] of Object.entries(plan.resources)) {
      if (resource.type === 'AWS::SQS::Queue') this.queueUrls.set(resource.physicalId.slice(resource.physicalId.lastIndexOf('/') + 1), resource.physicalId);
      if (resource.type === 'AWS::SNS::Topic') this.topicArns.set(logicalId, resource.physicalId);
    }
  }

  /** A function's EMF datapoints, once per dimension set (each is its own metric in CloudWatch). */
  public recordEmf(datapoints: readonly EmfDatapoint[]): void {
    this.guard('an EMF line', () => {
      for (const point of datapoints) {
        for (const dimensions of point.dimensionSets) this.evaluator.record({ namespace: point.namespace, metricName: point.metricName, dimensions }, point.values, point.timestampMs);
      }
    });
  }

  /** One invocation of a function, as Lambda counts it. */
  public recordInvocation(functionName: string, result: InvokeResult): void {
    this.guard('an invocation', () => {
      const at = this.now();
      const dimensions = { FunctionName: functionName };
      this.evaluator.record({ namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions }, [1], at);
      this.evaluator.record({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensions }, [result.ok ? 0 : 1], at);
      this.evaluator.record({ namespace: 'AWS/Lambda', metricName: 'Duration', dimensions }, [result.durationMs], at);
    });
  }

  /** One request answered by a REST API's stage. */
  public recordRequest(api: { readonly name?: string; readonly logicalId: string; readonly stageName: string }, entry: AccessLogEntry): void {
    this.guard('a request', () => {
      const at = this.now();
      const dimensions = { ApiName: api.name ?? api.logicalId, Stage: api.stageName };
      const metric = (metricName: string): LocalMetric => ({ namespace: 'AWS/ApiGateway', metricName, dimensions });
      this.evaluator.record(metric('Count'), [1], at);
      this.evaluator.record(metric('5XXError'), [entry.status >= 500 ? 1 : 0], at);
      this.evaluator.record(metric('4XXError'), [entry.status >= 400 && entry.status < 500 ? 1 : 0], at);
      this.evaluator.record(metric('Latency'), [entry.responseLatencyMs], at);
    });
  }

  /** Recording runs inside an invocation or a request: a failure here must not become theirs. */
  private guard(what: string, record: () => void): void {
    try {
      record();
    } catch (error) {
      this.dependencies.log(`alarms: recording ${what} failed, its datapoints are lost: ${(error as Error).stack ?? String(error)}`);
    }
  }

  /** Samples the gauges, evaluates, and publishes what changed; never throws, and skips a tick while the last one runs. */
  public async tick(mappings: readonly { readonly streamName?: string; readonly functionName: string; readonly stats: MappingStats }[]): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const at = this.now();
      for (const mapping of mappings) {
        // Only Kinesis reports MillisBehindLatest; planAlarms marks the DynamoDB Streams consumers' IteratorAge not evaluated.
        if (mapping.streamName === undefined) continue;
        const age = [mapping.stats.millisBehindLatest];
        this.evaluator.record({ namespace: 'AWS/Kinesis', metricName: 'GetRecords.IteratorAgeMilliseconds', dimensions: { StreamName: mapping.streamName } }, age, at);
        this.evaluator.record({ namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensions: { FunctionName: mapping.functionName } }, age, at);
      }
      await this.sampleQueues(at);
      const changes = this.evaluator.evaluate(this.now());
      for (const change of changes) await this.announce(change);
    } catch (error) {
      this.dependencies.log(`alarms: evaluation failed, alarms keep their state: ${(error as Error).stack ?? String(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  public statuses(): LocalAlarmStatus[] {
    return this.evaluator.statuses();
  }

  private async sampleQueues(at: number): Promise<void> {
    for (const [queueName, queueUrl] of this.queueUrls) {
      const wanted = Object.keys(QUEUE_METRICS).filter((metricName) => this.evaluator.wants({ namespace: 'AWS/SQS', metricName, dimensions: { QueueName: queueName } }));
      if (wanted.length === 0) continue;
      try {
        const { Attributes } = await this.dependencies.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
        for (const metricName of wanted) {
          const value = Attributes?.[QUEUE_METRICS[metricName]!];
          // fauxqs may not know an attribute: no datapoint then, not a made-up 0.
          if (value !== undefined) this.evaluator.record({ namespace: 'AWS/SQS', metricName, dimensions: { QueueName: queueName } }, [Number(value)], at);
        }
      } catch (error) {
        this.dependencies.log(`alarms: reading ${queueName}'s attributes failed: ${(error as Error).message}`);
      }
    }
  }

  private async announce(change: AlarmStateChange): Promise<void> {
    const line = `${new Date(change.atMs).toISOString()} ${change.alarm.alarmName} ${change.oldState} -> ${change.newState}: ${change.reason}\n`;
    try {
      appendFileSync(this.alarmsLog, line);
    } catch (error) {
      this.dependencies.log(`alarms: writing alarms.log failed: ${(error as Error).message}`);
    }
    const toArn = (action: string): string => this.topicArns.get(action) ?? action;
    const { subject, message } = alarmNotification(change, { account: LOCAL_ACCOUNT, region: LOCAL_REGION }, toArn);
    for (const action of actionsFor(change)) {
      const topicArn = this.topicArns.get(action);
      if (!topicArn) {
        this.dependencies.log(`alarms: ${change.alarm.alarmName}'s action ${action} is not a topic of the stack; not run offline`);
        continue;
      }
      try {
        await this.dependencies.sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: JSON.stringify(message) }));
      } catch (error) {
        this.dependencies.log(`alarms: publishing ${change.alarm.alarmName} ${change.newState} to ${topicArn} failed: ${(error as Error).message}`);
      }
    }
  }
}
