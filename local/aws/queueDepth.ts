import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Messages in a queue, visible or in flight. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? '0') + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? '0');
}

/** Messages in every dead-letter queue of the offline pipeline (queues whose name says DeadLetterQueue). */
export async function deadLetterDepth(sqs: SQSClient): Promise<number> {
  const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
  let messages = 0;
  for (const url of (QueueUrls ?? []).filter((candidate) => /DeadLetterQueue/i.test(candidate))) messages += await queueDepth(sqs, url);
  return messages;
}
