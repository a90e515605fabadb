import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/Emulators';
import type { TemplateResource } from './CloudAssembly';
import type { LocalFunction, LocalSchedule } from './LocalPlan';
import { parseRateExpression } from './parseRateExpression';
import { resolveIntrinsics, type IntrinsicContext } from './resolveIntrinsics';

/** Lambda's retries of a failed asynchronous invocation when no EventInvokeConfig says otherwise. */
const DEFAULT_ASYNC_RETRIES = 2;

/** What planSchedules could not run offline, for the not-emulated list. */
export interface UnplannedSchedule {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

/**
 * The template's EventBridge schedule rules that target the stack's functions,
 * with each function's asynchronous-invocation failure handling (its
 * EventInvokeConfig retries, its DeadLetterConfig or OnFailure queue), as the
 * host needs them to run the schedule as EventBridge and Lambda would.
 */
export function planSchedules(
  resources: readonly [string, TemplateResource][],
  context: IntrinsicContext,
  functions: readonly LocalFunction[],
): { schedules: LocalSchedule[]; unplanned: UnplannedSchedule[] } {
  const schedules: LocalSchedule[] = [];
  const unplanned: UnplannedSchedule[] = [];
  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::Events::Rule')) {
    const props = resolveIntrinsics(resource.Properties ?? {}, context) as Record<string, unknown>;
    const expression = typeof props.ScheduleExpression === 'string' ? props.ScheduleExpression : undefined;
    if (!expression) {
      unplanned.push({ logicalId, type: resource.Type, reason: 'UNSUPPORTED offline: only schedule rules run locally, event-pattern rules do not' });
      continue;
    }
    const intervalMs = parseRateExpression(expression);
    if (intervalMs === undefined) {
      unplanned.push({ logicalId, type: resource.Type, reason: `UNSUPPORTED offline: ${expression} is not a rate(…) expression; only rate schedules run locally` });
      continue;
    }
    if (props.State === 'DISABLED') continue;
    const ruleArn = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${logicalId}`;
    for (const target of (props.Targets as { Arn?: unknown; Input?: unknown }[] | undefined) ?? []) {
      const fn = functions.find((candidate) => candidate.functionArn === target.Arn || candidate.functionName === target.Arn);
      if (!fn) {
        unplanned.push({ logicalId, type: resource.Type, reason: `UNSUPPORTED offline: target ${String(target.Arn)} is not a function of the stack` });
        continue;
      }
      const failure = asyncFailureHandling(fn, resources, context);
      schedules.push({
        logicalId,
        ruleArn,
        scheduleExpression: expression,
        intervalMs,
        functionLogicalId: fn.logicalId,
        ...(typeof target.Input === 'string' ? { input: target.Input } : {}),
        ...failure,
      });
    }
  }
  return { schedules, unplanned };
}

function asyncFailureHandling(
  fn: LocalFunction,
  resources: readonly [string, TemplateResource][],
  context: IntrinsicContext,
): Pick<LocalSchedule, 'maximumRetryAttempts' | 'onFailureQueueUrl' | 'onFailureFormat'> {
  const functionProps = resolveIntrinsics(resources.find(([id]) => id === fn.logicalId)?.[1].Properties ?? {}, context) as Record<string, unknown>;
  const invokeConfig = resources
    .filter(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig')
    .map(([, r]) => resolveIntrinsics(r.Properties ?? {}, context) as Record<string, unknown>)
    .find((props) => props.FunctionName === fn.functionName || props.FunctionName === fn.functionArn);
  const retries = invokeConfig?.MaximumRetryAttempts;
  const onFailure = (invokeConfig?.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure?.Destination;
  const destination = onFailure ?? (functionProps.DeadLetterConfig as { TargetArn?: string } | undefined)?.TargetArn;
  let onFailureQueueUrl: string | undefined;
  if (destination) {
    const queue = [...context.resources.values()].find((candidate) => candidate.attributes.Arn === destination && candidate.attributes.QueueUrl);
    if (!queue) throw new Error(`Function ${fn.logicalId}: asynchronous failure destination ${destination} is not an SQS queue of the stack (only SQS is supported offline)`);
    onFailureQueueUrl = queue.attributes.QueueUrl;
  }
  return {
    maximumRetryAttempts: retries === undefined ? DEFAULT_ASYNC_RETRIES : Number(retries),
    ...(onFailureQueueUrl ? { onFailureQueueUrl, onFailureFormat: onFailure ? 'destination' : 'dead-letter' } : {}),
  };
}
