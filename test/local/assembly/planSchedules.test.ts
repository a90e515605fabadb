import { describe, expect, it } from 'vitest';
import type { TemplateResource } from '../../../local/assembly/CloudAssembly';
import type { LocalFunction } from '../../../local/assembly/LocalPlan';
import { parseRateExpression } from '../../../local/assembly/parseRateExpression';
import { planSchedules } from '../../../local/assembly/planSchedules';
import type { IntrinsicContext, ResolvedResource } from '../../../local/assembly/resolveIntrinsics';
import { localPseudoParameters } from '../../../local/assembly/localPseudoParameters';

const fn = (logicalId: string): LocalFunction => ({
  logicalId,
  functionName: logicalId,
  functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`,
  codeDir: '/nowhere',
  handler: 'index.handler',
  timeoutSeconds: 30,
  memorySizeMb: 256,
  environment: {},
});

function context(): IntrinsicContext {
  return {
    resources: new Map<string, ResolvedResource>([
      ['AuditFn', { ref: 'AuditFn', attributes: { Arn: fn('AuditFn').functionArn } }],
      ['ClockFn', { ref: 'ClockFn', attributes: { Arn: fn('ClockFn').functionArn } }],
      ['AuditDlq', { ref: 'http://q/AuditDlq', attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:AuditDlq', QueueUrl: 'http://q/AuditDlq' } }],
      ['ClockDlq', { ref: 'http://q/ClockDlq', attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:ClockDlq', QueueUrl: 'http://q/ClockDlq' } }],
    ]),
    pseudo: localPseudoParameters('Tributary'),
  };
}

const rule = (expression: string, targetId: string, extra: Record<string, unknown> = {}): TemplateResource => ({
  Type: 'AWS::Events::Rule',
  Properties: { ScheduleExpression: expression, State: 'ENABLED', Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': [targetId, 'Arn'] }, ...extra }] },
});

describe('Function: parseRateExpression', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
  ])('reads %s as %d ms', (expression, ms) => {
    expect(parseRateExpression(expression)).toBe(ms);
  });

  it.each(['cron(0 12 * * ? *)', 'rate(0 minutes)', 'rate(1.5 minutes)', 'rate(5 seconds)', 'rate(minutes)', 'at(2026-12-03T10:00:00)'])('refuses %s', (expression) => {
    expect(parseRateExpression(expression)).toBeUndefined();
  });
});

describe('Function: planSchedules', () => {
  it("plans a rate rule's function target with the function's DLQ and Lambda's default 2 async retries", () => {
    // Prepare
    const resources: [string, TemplateResource][] = [
      ['AuditFn', { Type: 'AWS::Lambda::Function', Properties: { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': ['AuditDlq', 'Arn'] } } } }],
      ['AuditSchedule', rule('rate(5 minutes)', 'AuditFn')],
    ];

    // Act
    const { schedules, unplanned } = planSchedules(resources, context(), [fn('AuditFn')]);

    // Assess
    expect(unplanned).toEqual([]);
    expect(schedules).toEqual([
      {
        logicalId: 'AuditSchedule',
        ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/AuditSchedule',
        scheduleExpression: 'rate(5 minutes)',
        intervalMs: 300_000,
        functionLogicalId: 'AuditFn',
        maximumRetryAttempts: 2,
        onFailureQueueUrl: 'http://q/AuditDlq',
        onFailureFormat: 'dead-letter',
      },
    ]);
  });

  it("takes the EventInvokeConfig's retries and OnFailure destination, and the target's constant Input", () => {
    const resources: [string, TemplateResource][] = [
      ['ClockFn', { Type: 'AWS::Lambda::Function', Properties: {} }],
      [
        'ClockInvokeConfig',
        {
          Type: 'AWS::Lambda::EventInvokeConfig',
          Properties: { FunctionName: { Ref: 'ClockFn' }, MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['ClockDlq', 'Arn'] } } } },
        },
      ],
      ['ClockSchedule', rule('rate(1 minute)', 'ClockFn', { Input: '{"tick":true}' })],
    ];

    const { schedules } = planSchedules(resources, context(), [fn('ClockFn')]);

    expect(schedules).toEqual([
      expect.objectContaining({ functionLogicalId: 'ClockFn', intervalMs: 60_000, input: '{"tick":true}', maximumRetryAttempts: 0, onFailureQueueUrl: 'http://q/ClockDlq', onFailureFormat: 'destination' }),
    ]);
  });

  it('reports cron schedules, event-pattern rules and foreign targets as not run offline, and skips disabled rules', () => {
    const resources: [string, TemplateResource][] = [
      ['AuditFn', { Type: 'AWS::Lambda::Function', Properties: {} }],
      ['Nightly', rule('cron(0 3 * * ? *)', 'AuditFn')],
      ['OnChange', { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['aws.s3'] }, Targets: [] } }],
      ['Foreign', { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 'T', Arn: 'arn:aws:sns:us-east-1:000000000000:elsewhere' }] } }],
      ['Off', { ...rule('rate(1 minute)', 'AuditFn'), Properties: { ...rule('rate(1 minute)', 'AuditFn').Properties, State: 'DISABLED' } }],
    ];

    const { schedules, unplanned } = planSchedules(resources, context(), [fn('AuditFn')]);

    expect(schedules).toEqual([]);
    expect(unplanned.map((entry) => [entry.logicalId, entry.reason])).toEqual([
      ['Nightly', 'UNSUPPORTED offline: cron(0 3 * * ? *) is not a rate(…) expression; only rate schedules run locally'],
      ['OnChange', 'UNSUPPORTED offline: only schedule rules run locally, event-pattern rules do not'],
      ['Foreign', 'UNSUPPORTED offline: target arn:aws:sns:us-east-1:000000000000:elsewhere is not a function of the stack'],
    ]);
  });
});
