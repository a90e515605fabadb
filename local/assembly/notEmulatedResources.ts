import type { TemplateResource } from './CloudAssembly';

/** Types with no offline behaviour, and why; anything not here and not emulated is reported as unsupported. */
export const NOT_ENFORCED: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': "functions' roles are not enforced offline: a function may call any emulator action",
  'AWS::IAM::Policy': "functions' roles are not enforced offline: a function may call any emulator action",
  'AWS::SQS::QueuePolicy': 'resource policies are not enforced offline',
  'AWS::SNS::TopicPolicy': 'resource policies are not enforced offline',
  'AWS::Lambda::Permission': 'invoke permissions are not enforced offline: the local API invokes its routes\' functions',
  'AWS::KMS::Key': 'encryption is not emulated offline',
  'AWS::Logs::LogGroup': 'function logs go to .tributary/logs/functions.log offline, the API access log to .tributary/logs/api-access.log',
  'AWS::ApiGateway::Deployment': 'the local API serves the template as synthesized',
  'AWS::ApiGateway::Account': 'API Gateway execution logs and their CloudWatch role are not emulated offline; the access log is (.tributary/logs/api-access.log)',
  'AWS::WAFv2::WebACL': 'WAF is not emulated offline: the stage throttle and usage plans still answer floods with 429',
  'AWS::WAFv2::WebACLAssociation': 'WAF is not emulated offline: the stage throttle and usage plans still answer floods with 429',
  // The alarm topic itself is emulated (an SNS topic like the change topic); what hangs off it is not.
  'AWS::CloudWatch::Dashboard': 'the CloudWatch dashboard is not emulated offline: the local dashboard (npm start) shows the pipeline instead',
  'AWS::SNS::Subscription': 'alarm subscriptions (email, https) are not delivered offline: no mail or webhook leaves the machine',
  'AWS::CDK::Metadata': 'CDK bookkeeping, nothing to run',
  // aggregator.enhancedFanOut: kinesis-mock serves SubscribeToShard, but the local ESM polls; the records and their order are the same.
  'AWS::Kinesis::StreamConsumer':
    'enhanced fan-out is not emulated offline: the host polls the stream with GetRecords for a mapping on a stream consumer (same records, same order per shard; no dedicated 2 MB/s, no ~70 ms push)',
};
export const EMULATED: ReadonlySet<string> = new Set([
  'AWS::Kinesis::Stream',
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  // rate(…) schedules targeting a function run in the host (cron and event patterns are reported by planSchedules).
  'AWS::Events::Rule',
  // Its retries and on-failure queue apply to the host's asynchronous (scheduled) invocations.
  'AWS::Lambda::EventInvokeConfig',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  // Lambda proxy methods with their AWS_IAM/NONE authorization and API-key requirement, and MOCK CORS preflights.
  'AWS::ApiGateway::Method',
  // Its `/*/*` throttle; the access log is written to .tributary/logs/api-access.log.
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  // Required path parameters by routing, required query strings and headers by the local API.
  'AWS::ApiGateway::RequestValidator',
  // The local API allows a signed identity the execute-api:Invoke resources of its role's policies.
  'AWS::IAM::ManagedPolicy',
  // Evaluated by the function host (local/alarms) over the functions' EMF metrics, Lambda's Errors/Invocations, the
  // API's requests, the Kinesis iterator age and the queues on fauxqs, with periods ÷ TRIBUTARY_ALARM_TIME_SCALE; state
  // changes are published to the alarm topic. Alarms on metrics no emulator produces (DynamoDB throttles, Kinesis
  // throughput, DAX) are listed as not evaluated, each with why (provisionStack).
  'AWS::CloudWatch::Alarm',
]);

/** A template resource with no (or not all of its) offline behaviour, and why. */
export interface NotEmulatedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

/**
 * The template's resources the offline runtime does not emulate, each with the
 * reason `npm start` prints; a type it knows nothing of is `UNSUPPORTED`,
 * which the banner lists by name so nobody mistakes it for tested behaviour.
 */
export function notEmulatedResources(resources: Readonly<Record<string, TemplateResource>>): NotEmulatedResource[] {
  return Object.entries(resources)
    .filter(([, resource]) => !EMULATED.has(resource.Type))
    .map(([logicalId, resource]) => ({ logicalId, type: resource.Type, reason: NOT_ENFORCED[resource.Type] ?? 'UNSUPPORTED offline: this resource does nothing locally' }));
}
