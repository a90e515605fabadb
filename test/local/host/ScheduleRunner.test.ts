import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFunction, LocalSchedule } from '../../../local/assembly/LocalPlan';
import { createLocalClients, type LocalClients } from '../../../local/aws/localClients';
import { Emulators } from '../../../local/emulators/Emulators';
import type { InvokeResult } from '../../../local/esm/InvokeResult';
import { ScheduleRunner } from '../../../local/host/ScheduleRunner';
import { waitUntil } from '../../support/waitUntil';

const target: LocalFunction = {
  logicalId: 'AuditFn',
  functionName: 'AuditFn',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:AuditFn',
  codeDir: '/nowhere',
  handler: 'index.handler',
  timeoutSeconds: 30,
  memorySizeMb: 256,
  environment: {},
};
const failure: InvokeResult = { ok: false, errorType: 'AuditReadError', errorMessage: 'raw events table unreachable', durationMs: 1 };

let emulators: Emulators;
let clients: LocalClients;
let queueCounter = 0;

async function newQueue(): Promise<string> {
  return (await clients.sqs.send(new CreateQueueCommand({ QueueName: `schedule-dlq-${++queueCounter}` }))).QueueUrl!;
}

function schedule(overrides: Partial<LocalSchedule>): LocalSchedule {
  return {
    logicalId: 'AuditSchedule',
    ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/AuditSchedule',
    scheduleExpression: 'rate(5 minutes)',
    intervalMs: 300_000,
    functionLogicalId: 'AuditFn',
    maximumRetryAttempts: 2,
    ...overrides,
  };
}

async function receiveAll(queueUrl: string) {
  const response = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
  return response.Messages ?? [];
}

describe('Class: ScheduleRunner', () => {
  beforeAll(async () => {
    emulators = await Emulators.start({ kinesis: 0, dynamodb: 0, sqs: 0 }, mkdtempSync(path.join(tmpdir(), 'tributary-schedule-')));
    clients = createLocalClients(emulators.endpoints);
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it("fires EventBridge's Scheduled Event every interval, starting one interval after start", async () => {
    // Prepare
    const events: unknown[] = [];
    const runner = new ScheduleRunner(schedule({}), { invoke: async (event) => (events.push(event), { ok: true, payload: null, durationMs: 1 }), target, sqs: clients.sqs, log: () => {} }, 150);

    // Act
    runner.start();
    const immediately = events.length;
    await waitUntil('three ticks', () => events.length >= 3, 5_000, 20);
    await runner.stop();

    // Assess
    expect(immediately).toBe(0);
    expect(events[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/AuditSchedule'],
      detail: {},
    });
    expect(runner.stats.ticks).toBeGreaterThanOrEqual(3);
    expect(runner.stats.failedAttempts).toBe(0);
  });

  it("retries a failing run Lambda's 2 times, then puts the event in the function's DLQ with the error attributes", async () => {
    // Prepare
    const queueUrl = await newQueue();
    let attempts = 0;
    const runner = new ScheduleRunner(schedule({ onFailureQueueUrl: queueUrl, onFailureFormat: 'dead-letter' }), { invoke: async () => (attempts++, failure), target, sqs: clients.sqs, log: () => {} }, 100);

    // Act
    await runner.tick();
    await runner.stop();

    // Assess
    expect(attempts).toBe(3);
    expect(runner.stats).toMatchObject({ ticks: 1, failedAttempts: 3, deadLettered: 1 });
    const messages = await receiveAll(queueUrl);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.Body!)).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    expect(messages[0]!.MessageAttributes?.ErrorMessage?.StringValue).toBe('AuditReadError: raw events table unreachable');
    expect(messages[0]!.MessageAttributes?.ErrorCode?.StringValue).toBe('200');
  });

  it('writes an invocation record to an OnFailure destination, and stops retrying once a retry succeeds', async () => {
    // Prepare
    const queueUrl = await newQueue();
    const outcomes = [failure, { ok: true, payload: null, durationMs: 1 } as InvokeResult];
    const flaky = new ScheduleRunner(schedule({ onFailureQueueUrl: queueUrl, onFailureFormat: 'destination' }), { invoke: async () => outcomes.shift()!, target, sqs: clients.sqs, log: () => {} }, 100);
    const broken = new ScheduleRunner(schedule({ maximumRetryAttempts: 0, onFailureQueueUrl: queueUrl, onFailureFormat: 'destination', input: '{"audit":"now"}' }), { invoke: async () => failure, target, sqs: clients.sqs, log: () => {} }, 100);

    // Act
    await flaky.tick();
    await broken.tick();

    // Assess
    expect(flaky.stats).toMatchObject({ failedAttempts: 1, deadLettered: 0 });
    expect(broken.stats).toMatchObject({ failedAttempts: 1, deadLettered: 1 });
    const messages = await receiveAll(queueUrl);
    expect(messages.map((message) => JSON.parse(message.Body!))).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({ condition: 'RetriesExhausted', approximateInvokeCount: 1, functionArn: `${target.functionArn}:$LATEST` }),
        requestPayload: { audit: 'now' },
        responsePayload: { errorType: 'AuditReadError', errorMessage: 'raw events table unreachable' },
      }),
    ]);
  });
});
