import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { LocalAlarm } from '../../../local/alarms/LocalAlarm';
import type { LocalPlan } from '../../../local/assembly/LocalPlan';
import type { AccessLogEntry } from '../../../local/host/AccessLogEntry';
import { HostAlarms } from '../../../local/host/HostAlarms';

const topicArn = 'arn:aws:sns:us-east-1:000000000000:AlarmsTopic';
const queueUrl = 'http://127.0.0.1:4566/000000000000/AggregatorDeadLetterQueue';
const plan = {
  resources: { AlarmsTopic: { type: 'AWS::SNS::Topic', physicalId: topicArn }, AggregatorDeadLetterQueue: { type: 'AWS::SQS::Queue', physicalId: queueUrl } },
} as unknown as LocalPlan;

const dlqAlarm: LocalAlarm = {
  logicalId: 'DlqAlarm',
  alarmName: 'Tributary-AggregatorDlq-Queue-Message-Count-Max-Critical',
  description: 'Number of messages in the queue is too high.',
  queries: [{ id: 'm1', returnData: true, metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'AggregatorDeadLetterQueue' } }, statistic: 'Maximum', periodSeconds: 60 }],
  periodSeconds: 60,
  comparison: 'GreaterThanThreshold',
  threshold: 0,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'missing',
  actionsEnabled: true,
  alarmActions: ['AlarmsTopic'],
  okActions: ['AlarmsTopic'],
  insufficientDataActions: [],
};
const errorsAlarm: LocalAlarm = {
  ...dlqAlarm,
  logicalId: 'ErrorsAlarm',
  alarmName: 'Tributary-Ingest-Fault-Count-Warning',
  queries: [{ id: 'm1', returnData: true, metric: { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'IngestFunction' } }, statistic: 'Sum', periodSeconds: 300 }],
  periodSeconds: 300,
  treatMissingData: 'notBreaching',
};

const T = Date.UTC(2026, 11, 3, 10, 0, 0);

describe('Class: HostAlarms', () => {
  it('reads the queue depth from fauxqs, fires the DLQ alarm, and logs a failed publish without throwing', async () => {
    // Prepare: a DLQ with one message; SNS down (the injected failure).
    const sqs = mockClient(SQSClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' } });
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).rejects(new Error('connect ECONNREFUSED'));
    const logDir = mkdtempSync(path.join(tmpdir(), 'tributary-alarms-'));
    const logged: string[] = [];
    let now = T + 500;
    const alarms = new HostAlarms(plan, [dlqAlarm], 30, { sqs: new SQSClient({}), sns: new SNSClient({}), logDir, log: (line) => logged.push(line), now: () => now });

    // Act: a sample in the first 2 s period, then the tick after it closes.
    await alarms.tick([]);
    now = T + 2_000;
    await alarms.tick([]);

    // Assess
    expect(alarms.statuses()[0]).toMatchObject({ state: 'ALARM', lastValue: 1, offlinePeriodSeconds: 2 });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input.TopicArn)).toEqual([topicArn]);
    expect(logged).toEqual([`alarms: publishing ${dlqAlarm.alarmName} ALARM to ${topicArn} failed: connect ECONNREFUSED`]);
    expect(readFileSync(path.join(logDir, 'alarms.log'), 'utf8')).toBe(
      `2026-12-03T10:00:02.000Z ${dlqAlarm.alarmName} INSUFFICIENT_DATA -> ALARM: Threshold Crossed: 1 out of the last 1 datapoints [1.0 (03/12/26 10:00:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).\n`,
    );
    sqs.restore();
    sns.restore();
  });

  it('counts function errors per invocation, so an errored invocation fires the fault alarm', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    let now = T + 1_000;
    const alarms = new HostAlarms(plan, [errorsAlarm], 30, { sqs: new SQSClient({}), sns: new SNSClient({}), logDir: mkdtempSync(path.join(tmpdir(), 'tributary-alarms-')), log: () => undefined, now: () => now });

    alarms.recordInvocation('IngestFunction', { ok: true, payload: {}, durationMs: 3 });
    alarms.recordInvocation('IngestFunction', { ok: false, errorType: 'Error', errorMessage: 'boom', durationMs: 3 });
    alarms.recordInvocation('OtherFunction', { ok: false, errorType: 'Error', errorMessage: 'boom', durationMs: 3 });
    now = T + 10_000;
    await alarms.tick([]);

    expect(alarms.statuses()[0]).toMatchObject({ state: 'ALARM', lastValue: 1 });
    const published = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!) as Record<string, unknown>;
    expect(published).toMatchObject({ AlarmName: 'Tributary-Ingest-Fault-Count-Warning', NewStateValue: 'ALARM', OldStateValue: 'INSUFFICIENT_DATA', AlarmActions: [topicArn] });
    sns.restore();
  });

  it("reads the API's fault rate as 5XXError's Average over the period's requests", async () => {
    const faultRate: LocalAlarm = {
      ...dlqAlarm,
      logicalId: 'ApiFaultRate',
      alarmName: 'Tributary-Api-Fault-Rate-Critical',
      queries: [{ id: 'm1', returnData: true, metric: { namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensions: { ApiName: 'tributary', Stage: 'v1' } }, statistic: 'Average', periodSeconds: 300 }],
      periodSeconds: 300,
      threshold: 0.05,
      treatMissingData: 'notBreaching',
    };
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    let now = T + 1_000;
    const alarms = new HostAlarms(plan, [faultRate], 30, { sqs: new SQSClient({}), sns: new SNSClient({}), logDir: mkdtempSync(path.join(tmpdir(), 'tributary-alarms-')), log: () => undefined, now: () => now });
    const api = { name: 'tributary', logicalId: 'HttpApi', stageName: 'v1' };
    const entry = (status: number) => ({ status, responseLatencyMs: 5 }) as AccessLogEntry;

    // 1 of 10 requests answered 503: 10 % > 5 %; 4XX answers are not faults.
    for (const status of [200, 200, 200, 200, 200, 400, 403, 429, 202, 503]) alarms.recordRequest(api, entry(status));
    now = T + 10_000;
    await alarms.tick([]);

    expect(alarms.statuses()[0]).toMatchObject({ state: 'ALARM', lastValue: 0.1 });
    sns.restore();
  });
});
