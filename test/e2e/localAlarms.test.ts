import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ListTopicsCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAlarmStatus } from '../../local/alarms/LocalAlarmStatus';
import { createLocalClients } from '../../local/aws/localClients';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

/**
 * The offline alarms, end to end: a load with 2 % late events (event times two
 * hours back, far behind every watermark) breaches the late-event objective
 * (late ÷ (late + counted) > 1 %, 3 of 3 five-minute periods, 10 s each at
 * the default time scale of 30); the host's evaluator takes the alarm to ALARM
 * and publishes CloudWatch's notification to the alarm topic on fauxqs.
 */
const LATE_ALARM = 'Tributary-Objectives-LateEventRate-Warning';
let pipeline: RunningPipeline;

const alarmStates = (): LocalAlarmStatus[] => JSON.parse(readFileSync(path.join(pipeline.stateDir, 'alarms.json'), 'utf8')) as LocalAlarmStatus[];
const alarm = (name: string): LocalAlarmStatus | undefined => alarmStates().find((status) => status.alarmName === name);

describe('Local alarms, end to end through the offline runtime', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('a 2 % late-event load takes the late-event alarm to ALARM and a CloudWatch notification reaches the alarm topic', async () => {
    // Prepare: a queue subscribed to the alarm topic, as an operator's pager would be.
    const clients = createLocalClients(pipeline.info.endpoints);
    const topicArn = (await clients.sns.send(new ListTopicsCommand({}))).Topics!.map((topic) => topic.TopicArn!).find((arn) => arn.includes('AlarmsTopic'))!;
    const queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `pager-${Date.now()}` }))).QueueUrl!;
    const queueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
    // At rest the rate is 0 (FILL), not missing: the alarm reads OK before any load.
    await waitUntil(`${LATE_ALARM} OK at rest`, () => alarm(LATE_ALARM)?.state === 'OK', 60_000, 250);
    const atRest = alarm(LATE_ALARM)!;
    expect(atRest).toMatchObject({ severity: 'warning', periodSeconds: 300, offlinePeriodSeconds: 10, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 1, comparison: 'GreaterThanThreshold' });

    // Act: 50 events every 250 ms, one in 50 two hours late, until the alarm fires.
    const startedMs = Date.now();
    let sent = 0;
    let late = 0;
    let stop = false;
    const load = (async () => {
      for (let tick = 0; !stop; tick++) {
        const now = Date.now();
        const events = Array.from({ length: 50 }, (_, index) => {
          const isLate = index === 0;
          return { type: 'order.created', key: `c-${tick}-${index}`, time: isLate ? now - 2 * 3_600_000 : now, data: { region: 'alarm-e2e', amount: 1 } };
        });
        const response = await pipeline.api.fetch('/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
        expect(response.status).toBe(200);
        sent += events.length;
        late += 1;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    let fired: LocalAlarmStatus;
    try {
      fired = await waitUntil(`${LATE_ALARM} in ALARM`, () => (alarm(LATE_ALARM)?.state === 'ALARM' ? alarm(LATE_ALARM) : undefined), 150_000, 250);
    } finally {
      stop = true;
      await load;
    }
    const firedAfterMs = Date.now() - startedMs;

    // Assess: the host's view — 3 of 3 breaching periods, the last one's rate about 2 %.
    expect(fired.reason).toMatch(/^Threshold Crossed: 3 out of the last 3 datapoints \[.*\] were greater than the threshold \(1\.0\) \(minimum 3 datapoints for OK -> ALARM transition\)\.$/);
    expect(fired.lastValue).toBeGreaterThan(1);
    expect(fired.lastValue).toBeLessThan(5);
    // Three 10 s periods must pass, and no more than a few beyond them.
    expect(firedAfterMs).toBeGreaterThanOrEqual(20_000);
    expect(firedAfterMs).toBeLessThan(90_000);
    console.log(`late-event alarm fired ${firedAfterMs} ms after the load started (${sent} events, ${late} late), last period ${fired.lastValue?.toFixed(2)} %`);

    // Assess: the notification, in CloudWatch's shape, on the topic.
    const notification = await waitUntil(
      'the ALARM notification on the alarm topic',
      async () => {
        const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const message of Messages ?? []) {
          await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
          const envelope = JSON.parse(message.Body!) as { Subject?: string; Message: string };
          const body = JSON.parse(envelope.Message) as Record<string, any>;
          if (body.AlarmName === LATE_ALARM && body.NewStateValue === 'ALARM') return { envelope, body };
        }
        return undefined;
      },
      30_000,
      100,
    );
    expect(notification.envelope.Subject).toBe(`ALARM: "${LATE_ALARM}" in US East (N. Virginia)`);
    expect(notification.body).toMatchObject({
      AlarmName: LATE_ALARM,
      AlarmDescription: 'Threshold of 1 has been breached.',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      NewStateReason: fired.reason,
      AlarmActions: [topicArn],
      Trigger: {
        Period: 300,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 1,
        TreatMissingData: 'missing',
        Metrics: [
          { Id: 'expr_1', Expression: 'IF((FILL(part, 0) + FILL(rest, 0)) > 0, 100 * FILL(part, 0) / (FILL(part, 0) + FILL(rest, 0)), 0)', ReturnData: true },
          { Id: 'part', MetricStat: { Metric: { MetricName: 'LateEvents', Namespace: 'Tributary', Dimensions: [{ name: 'service', value: 'tributary-aggregator' }] }, Period: 300, Stat: 'Sum' }, ReturnData: false },
          { Id: 'rest', MetricStat: { Metric: { MetricName: 'EventsCounted', Namespace: 'Tributary' } }, ReturnData: false },
        ],
      },
    });
    expect(new Date(notification.body.StateChangeTime as string).getTime()).toBe(fired.stateChangedAtMs);

    // Assess: the change is in alarms.log, and alarms on metrics nothing produces offline say why.
    expect(readFileSync(path.join(pipeline.stateDir, 'logs', 'alarms.log'), 'utf8')).toContain(`${LATE_ALARM} OK -> ALARM: Threshold Crossed: 3 out of the last 3 datapoints`);
    expect(alarm('Tributary-Aggregates-Write-Throttled-Events-Warning')).toMatchObject({ state: 'NOT_EVALUATED', reason: expect.stringContaining('DynamoDB Local never throttles') });
  });
});
