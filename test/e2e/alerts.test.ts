import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ListTopicsCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalClients } from '../../local/aws/localClients';
import { startPipeline, type RunningPipeline } from '../support/runPipeline';
import { waitUntil } from '../support/waitUntil';

const minuteMs = 60_000;
// Event time is what windows follow: half an hour of checkouts, in the recent past, is sent in a few seconds.
const base = Math.floor(Date.now() / minuteMs) * minuteMs - 40 * minuteMs;
const PER_MINUTE = 20;
/** Minutes 6–9 fail 30 % of checkouts; every other minute none. */
const failingMinutes = new Set([6, 7, 8, 9]);

/** 20 checkouts in minute `minute`, 3 s apart; 6 of them failed in a failing minute. */
function checkoutsOf(minute: number): Record<string, unknown>[] {
  return Array.from({ length: PER_MINUTE }, (_, i) => {
    const failed = failingMinutes.has(minute) && i % 10 < 3;
    return {
      type: failed ? 'checkout.failed' : 'checkout.completed',
      key: `customer-${(minute * PER_MINUTE + i) % 97}`,
      time: base + minute * minuteMs + i * 3_000,
      data: { latencyMs: 100 + i, ...(failed ? { error: 'payment-declined' } : {}) },
    };
  });
}

let pipeline: RunningPipeline;

// The bundled example config: checkout-errors-5m (5-minute windows sliding by 1 minute) alerts above 5 %
// in 2 windows in a row of at least 20 checkouts; orders-per-region publishes orders and revenue of eu-west.
describe('Alerts on windowed metrics, offline (npm start → checkouts → aggregator → alert function → SNS)', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ TRIBUTARY_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('raises exactly one metric-alert when the checkout error rate crosses 5 %, and resolves it exactly once when it falls', async () => {
    // Prepare: a queue subscribed to the alert topic, as an on-call tool would be.
    const clients = createLocalClients(pipeline.info.endpoints);
    const topicArn = (await clients.sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((arn) => arn.includes('MetricAlert'))!;
    const queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `pager-${Date.now()}` }))).QueueUrl!;
    const queueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));

    // Act: 26 minutes of checkouts in time order, failing in minutes 6–9, then orders of eu-west
    // (minutes 0–2, and ten at minute 26 that move their watermark past those windows).
    const checkouts = Array.from({ length: 26 }, (_, minute) => checkoutsOf(minute)).flat();
    for (let i = 0; i < checkouts.length; i += 100) {
      const response = await pipeline.api.fetch('/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: checkouts.slice(i, i + 100) }) });
      expect(((await response.json()) as { accepted: number }).accepted).toBe(Math.min(100, checkouts.length - i));
    }
    const orders = [0, 1, 1, 2, 2, 2].map((minute, i) => ({ type: 'order.created', key: `buyer-${i}`, time: base + minute * minuteMs + 1_000 + i, data: { region: 'eu-west', amount: 10 + i } }));
    // Ten keys at minute 26, so that every shard reports it: a shard without the metric's events holds its watermark back
    // until it is idle, and an idle shard is noticed only by a later batch (which would never come).
    for (let i = 0; i < 10; i++) orders.push({ type: 'order.created', key: `buyer-late-${i}`, time: base + 26 * minuteMs, data: { region: 'eu-west', amount: 1 } });
    expect(((await (await pipeline.api.fetch('/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: orders }) })).json()) as { accepted: number }).accepted).toBe(16);

    // Assess: windows starting at minutes 2–9 hold 1 to 4 failing minutes (6 to 24 of 100 checkouts), the others none.
    // The second of them in a row (minute 3: minutes 6 and 7, 12 %) raises; the first clean one (minute 10) resolves.
    const received: any[] = [];
    const drain = async (): Promise<void> => {
      const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      for (const message of Messages ?? []) {
        received.push({ ...JSON.parse(message.Body!), attributes: message.MessageAttributes });
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    };
    await waitUntil('the raise and the resolve', async () => (await drain(), received.length >= 2), 180_000, 200);
    // Windows up to minute ~20 become final meanwhile: nothing else may come.
    const settleUntil = Date.now() + 15_000;
    while (Date.now() < settleUntil) await drain();

    expect(received.map(({ attributes: _attributes, at: _at, ...event }) => event)).toEqual([
      {
        type: 'metric-alert',
        state: 'raised',
        metric: 'checkout-errors-5m',
        alert: 'highErrorRate',
        group: '(all)',
        windowStart: base + 3 * minuteMs,
        windowEnd: base + 8 * minuteMs,
        value: 0.12,
        threshold: 0.05,
        comparison: 'above',
        eventCount: 100,
        transitionId: 'checkout-errors-5m#highErrorRate#(all)#1',
      },
      {
        type: 'metric-alert',
        state: 'resolved',
        metric: 'checkout-errors-5m',
        alert: 'highErrorRate',
        group: '(all)',
        windowStart: base + 10 * minuteMs,
        windowEnd: base + 15 * minuteMs,
        value: 0,
        threshold: 0.05,
        comparison: 'above',
        eventCount: 100,
        transitionId: 'checkout-errors-5m#highErrorRate#(all)#2',
      },
    ]);
    // Filterable without parsing the body; `at` is when the window became final: processing time, long after its end in event time.
    expect(received[0].attributes).toEqual({
      type: { DataType: 'String', StringValue: 'metric-alert' },
      metric: { DataType: 'String', StringValue: 'checkout-errors-5m' },
      alert: { DataType: 'String', StringValue: 'highErrorRate' },
      state: { DataType: 'String', StringValue: 'raised' },
    });
    expect(received[0].at).toBeGreaterThan(base + 30 * minuteMs);

    // The published business metrics: one EMF document per final eu-west window, at the window's start.
    const documents = await waitUntil(
      'the business metrics of eu-west',
      () => {
        const log = readFileSync(path.join(pipeline.stateDir, 'logs', 'functions.log'), 'utf8');
        const lines = log.split('\n').filter((line) => line.includes('"Tributary/Business"'));
        const parsed = lines.map((line) => JSON.parse(line.slice(line.indexOf('{'))));
        return parsed.length >= 3 ? parsed : undefined;
      },
      60_000,
      500,
    );
    // In start order: one finalisation pass marks its windows concurrently, so they come in any order.
    documents.sort((a, b) => a._aws.Timestamp - b._aws.Timestamp);
    expect(documents.map((document) => [document._aws.Timestamp - base, document.Metric, document.Group, document.orders, document.revenue])).toEqual([
      [0, 'orders-per-region', 'eu-west', 1, 10],
      [minuteMs, 'orders-per-region', 'eu-west', 2, 23],
      [2 * minuteMs, 'orders-per-region', 'eu-west', 3, 42],
    ]);
    expect(documents[0]._aws.CloudWatchMetrics).toEqual([{ Namespace: 'Tributary/Business', Dimensions: [['Metric', 'Group']], Metrics: [{ Name: 'orders', Unit: 'None' }, { Name: 'revenue', Unit: 'None' }] }]);
  });
});
