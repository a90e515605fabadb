import { SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type FeedMessage, readFeedMessage } from './readFeedMessage';

/** Where the feed listens and what it tells. */
export interface TopicFeedOptions {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  /** Topics to subscribe to (CountValueUpdatedTopicArn and, when the stack has it, MetricAlertTopicArn). */
  readonly topicArns: readonly string[];
  /** @default tributary-dashboard-feed */
  readonly queueName?: string;
  readonly onMessage: (message: FeedMessage) => void;
  /** A failed receive (the emulator restarting): the feed retries, slower each time. */
  readonly onError?: (error: unknown) => void;
  /** Long-poll wait; short so that stop() returns quickly. @default 2 */
  readonly waitTimeSeconds?: number;
}

/**
 * The dashboard's own subscription: an SQS queue on fauxqs subscribed to the
 * stack's topics, long-polled, as any subscriber on AWS would read
 * `count-value-updated` (never the query API). The SNS envelope is kept (no raw
 * delivery) so one queue can carry several topics.
 */
export class TopicFeed {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  public queueUrl: string | undefined;

  public constructor(private readonly options: TopicFeedOptions) {}

  public async start(): Promise<void> {
    const { sqs, sns } = this.options;
    const created = await sqs.send(new CreateQueueCommand({ QueueName: this.options.queueName ?? 'tributary-dashboard-feed' }));
    this.queueUrl = created.QueueUrl!;
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = attributes.Attributes!.QueueArn!;
    for (const topicArn of this.options.topicArns) {
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
    }
    this.running = true;
    this.loop = this.poll();
  }

  public async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async poll(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const received = await this.options.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: this.options.waitTimeSeconds ?? 2 }),
          { abortSignal: this.abort.signal },
        );
        failures = 0;
        const messages = received.Messages ?? [];
        for (const message of messages) {
          const read = readFeedMessage(message.Body);
          if (read) this.deliver(read);
        }
        if (messages.length > 0) {
          await this.options.sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
            { abortSignal: this.abort.signal },
          );
        }
      } catch (error) {
        if (!this.running) return;
        failures += 1;
        this.options.onError?.(error);
        // Bounded backoff: an emulator that is down is asked again every few seconds, not in a hot loop.
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** Math.min(5, failures))));
      }
    }
  }

  /** A listener that throws must not stop the feed for the others. */
  private deliver(message: FeedMessage): void {
    try {
      this.options.onMessage(message);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
