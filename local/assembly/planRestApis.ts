import { createHash } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/Emulators';
import type { SynthesizedStack, TemplateResource } from './CloudAssembly';
import type {
  LocalApiKey,
  LocalAuthorizationType,
  LocalCorsPreflight,
  LocalManagedPolicy,
  LocalPolicyStatement,
  LocalQuota,
  LocalRestApi,
  LocalRoute,
  LocalThrottle,
  LocalUsagePlan,
} from './LocalPlan';
import { localPseudoParameters } from './localPseudoParameters';
import { resolveIntrinsics, type IntrinsicContext, type ResolvedResource } from './resolveIntrinsics';

/** The id the local API goes by (`requestContext.apiId`, and the API's part of every execute-api ARN). */
export const localRestApiId = (logicalId: string): string => logicalId.toLowerCase().slice(0, 10);

/** A 10-character id like API Gateway's, stable for a logical id (an API key's `apiKeyId`). */
const shortId = (logicalId: string): string => createHash('sha256').update(logicalId).digest('hex').slice(0, 10);

const QUOTA_PERIODS: ReadonlySet<string> = new Set(['DAY', 'WEEK', 'MONTH']);

/** Thrown for an API the local gateway cannot serve as the template says; `npm start` stops with it. */
export class UnsupportedApiError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UnsupportedApiError';
  }
}

/**
 * The template's REST APIs as the local gateway serves them: the Lambda proxy
 * routes with their authorization and API-key requirement, the stage throttle,
 * the usage plans with their keys, the managed policies that grant
 * `execute-api:Invoke` on the API, and the CORS preflights (MOCK `OPTIONS`
 * methods). Pure: it needs no emulator, only what the template names, so a
 * test can plan from a synthesized app without bundles.
 */
export function planRestApis(stack: SynthesizedStack): LocalRestApi[] {
  const resources = Object.entries(stack.template.Resources);
  const context: IntrinsicContext = { resources: placeholders(resources), pseudo: localPseudoParameters(stack.stackName) };
  const resolve = (value: unknown): string => String(resolveIntrinsics(value, context));
  const pathOf = pathResolver(resources, resolve);
  const policyNames = new Map<string, string>();
  for (const [outputName, output] of Object.entries(stack.template.Outputs ?? {})) {
    const ref = (output.Value as { Ref?: unknown } | null)?.Ref;
    if (typeof ref === 'string' && outputName.endsWith('Arn')) policyNames.set(ref, outputName.slice(0, -'Arn'.length));
  }

  return resources
    .filter(([, resource]) => resource.Type === 'AWS::ApiGateway::RestApi')
    .map(([apiLogicalId]) => {
      const apiRef = context.resources.get(apiLogicalId)!.ref;
      const ofThisApi = ([, resource]: [string, TemplateResource]): boolean => resolve(resource.Properties?.RestApiId) === apiRef;
      const routes: LocalRoute[] = [];
      const corsPreflights: LocalCorsPreflight[] = [];
      for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::ApiGateway::Method').filter(ofThisApi)) {
        const props = resource.Properties ?? {};
        const resourcePath = pathOf(resolve(props.ResourceId)) || '/';
        const httpMethod = String(props.HttpMethod);
        const integration = props.Integration as { Type?: string; Uri?: unknown } | undefined;
        if (integration?.Type === 'MOCK' && httpMethod === 'OPTIONS') {
          corsPreflights.push(toCorsPreflight(logicalId, resourcePath, integration));
          continue;
        }
        const target = integration?.Uri === undefined ? undefined : /function:([^/]+)\/invocations$/.exec(resolve(integration.Uri))?.[1];
        if (integration?.Type !== 'AWS_PROXY' || !target) {
          throw new UnsupportedApiError(`API method ${logicalId}: only Lambda proxy integrations (and MOCK OPTIONS preflights) are supported offline`);
        }
        routes.push({
          httpMethod,
          resourcePath,
          functionLogicalId: target,
          authorizationType: toAuthorizationType(logicalId, props.AuthorizationType),
          apiKeyRequired: props.ApiKeyRequired === true || props.ApiKeyRequired === 'true',
          requiredParameters: requiredParameters(props, resources, resolve),
        });
      }
      const stage = resources.find(([, resource]) => resource.Type === 'AWS::ApiGateway::Stage' && ofThisApi(['', resource]));
      const stageName = String(stage?.[1].Properties?.StageName ?? 'prod');
      const stageThrottle = stage ? toStageThrottle(stage[1]) : undefined;
      return {
        logicalId: apiLogicalId,
        restApiId: apiRef,
        ...(typeof stack.template.Resources[apiLogicalId]?.Properties?.Name === 'string' ? { name: stack.template.Resources[apiLogicalId]!.Properties!.Name as string } : {}),
        stageName,
        routes,
        ...(stageThrottle ? { stageThrottle } : {}),
        usagePlans: toUsagePlans(resources, resolve, apiRef, stageName),
        managedPolicies: toManagedPolicies(resources, context, policyNames, apiRef),
        corsPreflights,
      };
    });
}

/** What each resource an API refers to resolves to offline, as CloudFormation would resolve it on AWS. */
function placeholders(resources: readonly [string, TemplateResource][]): Map<string, ResolvedResource> {
  const resolved = new Map<string, ResolvedResource>();
  for (const [logicalId, resource] of resources) {
    switch (resource.Type) {
      case 'AWS::ApiGateway::RestApi':
        resolved.set(logicalId, { ref: localRestApiId(logicalId), attributes: { RootResourceId: `${logicalId}/` } });
        break;
      case 'AWS::ApiGateway::Stage':
        // Ref of a stage is its name.
        resolved.set(logicalId, { ref: String(resource.Properties?.StageName ?? logicalId), attributes: {} });
        break;
      case 'AWS::ApiGateway::ApiKey':
        resolved.set(logicalId, { ref: shortId(logicalId), attributes: { APIKeyId: shortId(logicalId) } });
        break;
      case 'AWS::Lambda::Function':
        resolved.set(logicalId, { ref: logicalId, attributes: { Arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}` } });
        break;
      case 'AWS::IAM::Role':
        resolved.set(logicalId, { ref: logicalId, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${logicalId}`, RoleId: logicalId } });
        break;
      default:
        resolved.set(logicalId, { ref: logicalId, attributes: {} });
    }
  }
  return resolved;
}

/** `/metrics/{name}` of an `AWS::ApiGateway::Resource` id (the root is the empty path). */
function pathResolver(resources: readonly [string, TemplateResource][], resolve: (value: unknown) => string): (resourceId: string) => string {
  const pathParts = new Map<string, { parent: string; part: string }>();
  for (const [logicalId, resource] of resources) {
    if (resource.Type !== 'AWS::ApiGateway::Resource') continue;
    const props = resource.Properties ?? {};
    pathParts.set(logicalId, { parent: resolve(props.ParentId), part: String(props.PathPart) });
  }
  const pathOf = (resourceId: string): string => {
    if (resourceId.endsWith('/')) return '';
    const entry = pathParts.get(resourceId);
    if (!entry) throw new UnsupportedApiError(`API resource ${resourceId} is not in the template`);
    return `${pathOf(entry.parent)}/${entry.part}`;
  };
  return pathOf;
}

/** `method.request.querystring.key: true` → `querystring.key`, when the method's validator checks parameters. */
function requiredParameters(props: Record<string, unknown>, resources: readonly [string, TemplateResource][], resolve: (value: unknown) => string): string[] {
  if (props.RequestValidatorId === undefined) return [];
  const validatorId = resolve(props.RequestValidatorId);
  const validator = resources.find(([logicalId, resource]) => resource.Type === 'AWS::ApiGateway::RequestValidator' && logicalId === validatorId)?.[1];
  const validates = validator?.Properties?.ValidateRequestParameters;
  if (validates !== true && validates !== 'true') return [];
  return Object.entries((props.RequestParameters as Record<string, unknown> | undefined) ?? {})
    .filter(([, required]) => required === true || required === 'true')
    .map(([name]) => name.replace(/^method\.request\./, ''))
    .filter((name) => name.startsWith('querystring.') || name.startsWith('header.'));
}

function toAuthorizationType(logicalId: string, value: unknown): LocalAuthorizationType {
  if (value === undefined || value === 'NONE') return 'NONE';
  if (value === 'AWS_IAM') return 'AWS_IAM';
  throw new UnsupportedApiError(`API method ${logicalId}: authorization ${String(value)} is not emulated offline (only AWS_IAM and NONE are)`);
}

/** The `/*\/*` method setting: the stage-wide throttle. */
function toStageThrottle(stage: TemplateResource): LocalThrottle | undefined {
  const settings = (stage.Properties?.MethodSettings as Record<string, unknown>[] | undefined) ?? [];
  const all = settings.find((setting) => setting.ResourcePath === '/*' && setting.HttpMethod === '*');
  return all ? toThrottle(all.ThrottlingRateLimit, all.ThrottlingBurstLimit) : undefined;
}

function toThrottle(rate: unknown, burst: unknown): LocalThrottle | undefined {
  if (rate === undefined && burst === undefined) return undefined;
  // API Gateway takes an unset half as no limit on it; a bucket needs both, so the other one stands in.
  const rateLimitPerSecond = Number(rate ?? burst);
  const burstLimit = Number(burst ?? rate);
  return { rateLimitPerSecond, burstLimit };
}

function toUsagePlans(resources: readonly [string, TemplateResource][], resolve: (value: unknown) => string, apiRef: string, stageName: string): LocalUsagePlan[] {
  const keys = new Map<string, LocalApiKey>();
  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::ApiGateway::ApiKey')) {
    const name = String(resource.Properties?.Name ?? logicalId);
    const enabled = resource.Properties?.Enabled;
    keys.set(logicalId, { id: resolve({ Ref: logicalId }), name, producer: name.replace(/^tributary-/, ''), enabled: enabled === true || enabled === 'true' });
  }
  const planKeys = resources.filter(([, r]) => r.Type === 'AWS::ApiGateway::UsagePlanKey').map(([, r]) => r.Properties ?? {});
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::ApiGateway::UsagePlan')
    .filter(([, resource]) =>
      ((resource.Properties?.ApiStages as { ApiId?: unknown; Stage?: unknown }[] | undefined) ?? []).some(
        (apiStage) => resolve(apiStage.ApiId) === apiRef && resolve(apiStage.Stage) === stageName,
      ),
    )
    .map(([logicalId, resource]) => {
      const props = resource.Properties ?? {};
      const throttleProps = props.Throttle as { RateLimit?: unknown; BurstLimit?: unknown } | undefined;
      const throttle = throttleProps ? toThrottle(throttleProps.RateLimit, throttleProps.BurstLimit) : undefined;
      const quotaProps = props.Quota as { Limit?: unknown; Period?: unknown } | undefined;
      const period = String(quotaProps?.Period ?? '');
      const quota: LocalQuota | undefined =
        quotaProps?.Limit !== undefined && QUOTA_PERIODS.has(period) ? { limit: Number(quotaProps.Limit), period: period as LocalQuota['period'] } : undefined;
      const apiKeys = planKeys
        .filter((planKey) => resolve(planKey.UsagePlanId) === logicalId)
        .map((planKey) => [...keys].find(([keyLogicalId]) => resolve({ Ref: keyLogicalId }) === resolve(planKey.KeyId))?.[1])
        .filter((key): key is LocalApiKey => key !== undefined);
      return { name: String(props.UsagePlanName ?? logicalId), ...(throttle ? { throttle } : {}), ...(quota ? { quota } : {}), apiKeys };
    });
}

function toManagedPolicies(
  resources: readonly [string, TemplateResource][],
  context: IntrinsicContext,
  policyNames: ReadonlyMap<string, string>,
  apiRef: string,
): LocalManagedPolicy[] {
  const apiArnPrefix = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${apiRef}/`;
  const policies: LocalManagedPolicy[] = [];
  for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')) {
    let document: { Statement?: unknown };
    try {
      document = resolveIntrinsics(resource.Properties?.PolicyDocument ?? {}, context) as { Statement?: unknown };
    } catch {
      // A policy on resources the API knows nothing of (a table's ARN); one on this API always resolves.
      continue;
    }
    const statements: LocalPolicyStatement[] = asList(document.Statement).map((statement) => {
      const { Effect, Action, Resource } = statement as { Effect?: unknown; Action?: unknown; Resource?: unknown };
      return { effect: Effect === 'Deny' ? 'Deny' : 'Allow', actions: asList(Action).map(String), resources: asList(Resource).map(String) };
    });
    if (!statements.some((statement) => statement.resources.some((arn) => arn.startsWith(apiArnPrefix)))) continue;
    policies.push({ name: policyNames.get(logicalId) ?? logicalId, logicalId, statements });
  }
  return policies;
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * A MOCK `OPTIONS` method as CDK's `addCorsPreflight` writes it: static
 * response headers (`'value'` in quotes), `Access-Control-Allow-Origin` set to
 * the first origin, and, for more origins, a response template that echoes the
 * request's `Origin` when it equals one of them (`#if($origin == "…" || …)`).
 */
function toCorsPreflight(logicalId: string, resourcePath: string, integration: Record<string, unknown>): LocalCorsPreflight {
  const response = (integration.IntegrationResponses as { StatusCode?: unknown; ResponseParameters?: Record<string, unknown>; ResponseTemplates?: Record<string, unknown> }[] | undefined)?.[0];
  if (!response) throw new UnsupportedApiError(`API method ${logicalId}: a MOCK OPTIONS method without an integration response`);
  const headers: Record<string, string> = {};
  const allowedOrigins: string[] = [];
  for (const [parameter, value] of Object.entries(response.ResponseParameters ?? {})) {
    const name = /^method\.response\.header\.(.+)$/.exec(parameter)?.[1]?.toLowerCase();
    const literal = /^'(.*)'$/s.exec(String(value))?.[1];
    if (!name || literal === undefined) continue;
    if (name === 'access-control-allow-origin') allowedOrigins.push(literal);
    else headers[name] = literal;
  }
  // Only the condition guarding the override counts: the template's first #if (`$origin == ""`) just reads the header.
  for (const template of Object.values(response.ResponseTemplates ?? {})) {
    for (const guard of String(template).matchAll(/#if\(([^\n]*)\)\s*#set\(\$context\.responseOverride\.header\.Access-Control-Allow-Origin/g)) {
      for (const match of guard[1]!.matchAll(/\$origin == "([^"]*)"/g)) allowedOrigins.push(match[1]!);
    }
  }
  return { resourcePath, statusCode: Number(response.StatusCode ?? 200), allowedOrigins, headers };
}
