import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedMessage } from '../../../local/dashboard/readFeedMessage';
import { TopicFeed } from '../../../local/dashboard/TopicFeed';
import { waitUntil } from '../../support/waitUntil';

const CHANGE = {
  type: 'count-value-updated',
  metric: 'orders-per-region',
  group: 'eu-west',
  windowStart: 0,
  windowEnd: 60_000,
  old: null,
  new: { eventCount: 1, lateEvents: 0, values: { orders: 1 } },
  final: false,
  timestamp: 1,
  changeId: '49',
};

describe('Class: TopicFeed (on fauxqs)', () => {
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  let sqs: SQSClient;
  let sns: SNSClient;
  beforeAll(async () => {
    fauxqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    const common = { region: 'us-east-1', endpoint: fauxqs.address, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    sqs = new SQSClient(common);
    sns = new SNSClient(common);
  });
  afterAll(async () => {
    await fauxqs?.stop();
  });

  it('subscribes its own queue to every topic it is given and delivers what is published there, dropping what it cannot read', async () => {
    // Prepare
    const changes = fauxqs.createTopic('ChangesCountValueUpdated').topicArn;
    const alerts = fauxqs.createTopic('MetricAlertTopic').topicArn;
    const received: FeedMessage[] = [];
    const feed = new TopicFeed({ sqs, sns, topicArns: [changes, alerts], queueName: 'feed-1', waitTimeSeconds: 1, onMessage: (message) => received.push(message) });
    await feed.start();

    // Act
    await sns.send(new PublishCommand({ TopicArn: changes, Message: 'not an event' }));
    await sns.send(new PublishCommand({ TopicArn: changes, Message: JSON.stringify(CHANGE) }));
    await sns.send(new PublishCommand({ TopicArn: alerts, Message: JSON.stringify({ type: 'metric-alert', status: 'raised' }) }));
    await waitUntil('both messages', () => received.length >= 2, 10_000);
    const stoppedInMs = await (async () => {
      const before = Date.now();
      await feed.stop();
      return Date.now() - before;
    })();

    // Assess
    // One queue, two topics: SQS does not promise their order.
    expect(received).toHaveLength(2);
    expect(received).toEqual(
      expect.arrayContaining([
        { kind: 'change', change: CHANGE },
        { kind: 'alert', alert: { type: 'metric-alert', status: 'raised' } },
      ]),
    );
    // stop() aborts the long poll instead of waiting it out.
    expect(stoppedInMs).toBeLessThan(900);
  });

  it('keeps delivering after a listener throws, and reports the error', async () => {
    // Prepare
    const topic = fauxqs.createTopic('Throwing').topicArn;
    const received: string[] = [];
    const errors: string[] = [];
    const feed = new TopicFeed({
      sqs,
      sns,
      topicArns: [topic],
      queueName: 'feed-2',
      waitTimeSeconds: 1,
      onMessage: (message) => {
        if (message.kind === 'change' && message.change.group === 'boom') throw new Error('listener broke');
        if (message.kind === 'change') received.push(message.change.group);
      },
      onError: (error) => errors.push((error as Error).message),
    });
    await feed.start();

    // Act
    await sns.send(new PublishCommand({ TopicArn: topic, Message: JSON.stringify({ ...CHANGE, group: 'boom' }) }));
    await waitUntil('the error', () => errors.length === 1, 10_000);
    await sns.send(new PublishCommand({ TopicArn: topic, Message: JSON.stringify({ ...CHANGE, group: 'after' }) }));
    await waitUntil('the next message', () => received.length === 1, 10_000);
    await feed.stop();

    // Assess
    expect(errors).toEqual(['listener broke']);
    expect(received).toEqual(['after']);
  });
});
