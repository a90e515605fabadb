import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, PublishCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregatePartitionKey } from '../../../adapters/dynamodb/aggregateKeys';
import type { MetricDefinition } from '../../../core/metrics/MetricDefinition';
import { createAlertEvaluator } from '../../../functions/alerts/createAlertEvaluator';
import { createLocalClients, type LocalClients } from '../../../local/aws/localClients';
import { Emulators } from '../../../local/emulators/Emulators';
import { createAggregatesTable } from '../../../local/tables/createAggregatesTable';
import { createDeliveryTables } from '../../../local/tables/createDeliveryTables';

/** The alert function as wired for Lambda, on the emulators: state table, Powertools idempotency, SNS on fauxqs. */
let emulators: Emulators;
let clients: LocalClients;
let queueUrl: string;
let topicArn: string;
const T = Date.UTC(2026, 10, 22, 12, 0);
const minuteMs = 60_000;

const metric: MetricDefinition = {
  name: 'errors',
  filter: { types: ['checkout.completed', 'checkout.failed'] },
  window: { kind: 'hopping', sizeMs: 5 * minuteMs, slideMs: minuteMs },
  aggregations: { errorRate: { kind: 'ratio', where: [{ field: 'type', equals: 'checkout.failed' }] } },
  alerts: { high: { aggregation: 'errorRate', comparison: 'above', threshold: 0.05, minEventCount: 20 } },
  publish: { aggregations: ['errorRate'], groups: ['(all)'] },
};

/** The stream record of window `n` becoming final, with error rate `rate`. */
function finalised(n: number, rate: number): DynamoDBRecord {
  const item = { pk: aggregatePartitionKey('errors', '(all)'), windowStart: T + n * minuteMs, metric: 'errors', group: '(all)', windowEnd: T + (n + 5) * minuteMs, eventCount: 100, lateEvents: 0, values: { errorRate: rate }, version: 3 };
  return {
    eventID: `e${n}`,
    eventName: 'MODIFY',
    dynamodb: { SequenceNumber: `${1000 + n}`, OldImage: marshall(item) as never, NewImage: marshall({ ...item, version: 4, finalAt: T + (n + 5) * minuteMs + 6_000 }) as never },
  };
}

async function received(): Promise<{ state: string; windowStart: number; transitionId: string }[]> {
  const messages: { state: string; windowStart: number; transitionId: string }[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    if (!Messages?.length) empty += 1;
    for (const message of Messages ?? []) {
      messages.push(JSON.parse(message.Body!));
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
    }
  }
  return messages.map(({ state, windowStart, transitionId }) => ({ state, windowStart: (windowStart - T) / minuteMs, transitionId }));
}

/** SNS whose next `failures` publishes fail before anything is sent (a throttle, a timeout on the way out). */
function failingSns(sns: SNSClient, state: { failures: number }): SNSClient {
  return {
    send: async (command: PublishCommand) => {
      if (command instanceof PublishCommand && state.failures > 0) {
        state.failures -= 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return sns.send(command);
    },
  } as unknown as SNSClient;
}

describe('Conformance: createAlertEvaluator on the emulators', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-alerts-')));
    clients = createLocalClients(emulators.endpoints);
    await clients.dynamodb.send(new CreateTableCommand({ TableName: 'states', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
    await createAggregatesTable(clients.dynamodb, 'aggregates');
    await createDeliveryTables(clients.dynamodb, { delivery: 'delivery', idempotency: 'idempotency' });
    topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'metric-alert' }))).TopicArn!;
    queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'pager' }))).QueueUrl!;
    const queueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  }, 120_000);
  afterAll(async () => {
    await emulators?.stop();
  });

  it('publishes each transition once through failed publishes and a redelivery of the whole range, and prints each window once per delivery', async () => {
    // Prepare
    const faults = { failures: 0 };
    const documents: unknown[] = [];
    const settings = { topicArn, idempotencyTable: 'idempotency', alertStateTable: 'states', aggregatesTable: 'aggregates', aggregateRetentionDays: 90 };
    const alerts = createAlertEvaluator(settings, [metric], { ...clients, sns: failingSns(clients.sns, faults) }, { onBusinessMetrics: (document) => documents.push(document) });
    alerts.registerContext({ getRemainingTimeInMillis: () => 30_000 });
    const records = [finalised(0, 0.01), finalised(1, 0.1), finalised(2, 0.2), finalised(3, 0.01), finalised(4, 0.3)];

    // Act: each record retried until it goes through, as the mapping retries a failed record; the raise's publish fails twice.
    const deliver = async (record: DynamoDBRecord): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await alerts.processRecord(record, () => 30_000);
          return attempt;
        } catch (error) {
          expect((error as Error).name).toBe('ThrottlingException');
        }
      }
    };
    const attempts: number[] = [];
    for (const [index, record] of records.entries()) {
      faults.failures = index === 1 ? 2 : 0;
      attempts.push(await deliver(record));
    }
    const first = await received();
    for (const record of records) await deliver(record);
    const again = await received();

    // Assess
    expect(attempts).toEqual([1, 3, 1, 1, 1]);
    expect(first).toEqual([
      { state: 'raised', windowStart: 1, transitionId: 'errors#high#(all)#1' },
      { state: 'resolved', windowStart: 3, transitionId: 'errors#high#(all)#2' },
      { state: 'raised', windowStart: 4, transitionId: 'errors#high#(all)#3' },
    ]);
    expect(again).toEqual([]);
    // A business-metric point per processed window and delivery: the retried window printed once, after its alerts went through.
    expect(documents).toHaveLength(10);
  }, 60_000);

  it('ignores changes that finalise nothing, and windows of metrics it does not know', async () => {
    const settings = { topicArn, idempotencyTable: 'idempotency', alertStateTable: 'states', aggregatesTable: 'aggregates', aggregateRetentionDays: 90 };
    const alerts = createAlertEvaluator(settings, [metric], clients);
    const open = { ...finalised(9, 0.5), dynamodb: { ...finalised(9, 0.5).dynamodb, NewImage: finalised(9, 0.5).dynamodb!.OldImage } };
    const foreign = finalised(9, 0.5);
    foreign.dynamodb!.NewImage = marshall({ ...(await import('@aws-sdk/util-dynamodb')).unmarshall(foreign.dynamodb!.NewImage as never), metric: 'other' }) as never;

    expect([await alerts.processRecord(open, () => 30_000), await alerts.processRecord(foreign, () => 30_000)]).toEqual(['ignored', 'ignored']);
  });
});
