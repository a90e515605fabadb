import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { CORS_ALLOW_HEADERS } from '../../infra/constructs/PipelineApi';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

/** Synthesizes without bundling (the bundles are exercised by the offline tests). */
function synth(config: Omit<TributaryConfig, 'metrics'> = {}): { stack: TributaryStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TributaryStack(app, 'Test', { config: { metrics: [ordersPerRegion], cache: { dax: false }, ...config } });
  return { stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

/** `METHOD /path` of every method in the template, with its properties. */
function methodsOf(template: Template): Map<string, Record<string, unknown>> {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const pathOf = (resourceId: string): string => {
    const resource = resources[resourceId];
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf((resource.Properties.ParentId as { Ref?: string }).Ref ?? '')}/${resource.Properties.PathPart as string}`;
  };
  const methods = new Map<string, Record<string, unknown>>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    const resourceId = (resource.Properties.ResourceId as { Ref: string }).Ref;
    methods.set(`${resource.Properties.HttpMethod as string} ${pathOf(resourceId)}`, resource.Properties);
  }
  return methods;
}

/** What a managed policy, found by its stack output, allows: `action stage/METHOD/path` per resource. */
function grantsOf(template: Template, outputName: string): string[] {
  const outputs = template.toJSON().Outputs as Record<string, { Value: { Ref: string } }>;
  const policy = (template.toJSON().Resources as Record<string, Resource>)[outputs[outputName]!.Value.Ref]!;
  expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
  const statements = (policy.Properties.PolicyDocument as { Statement: { Effect: string; Action: string; Resource: unknown }[] }).Statement;
  return statements.flatMap((statement) => {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return resources.map((resource) => {
      const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      // arn:<partition>:execute-api:<region>:<account>:<api id> then /stage/METHOD/path
      expect(parts[parts.length - 2]).toEqual({ Ref: expect.stringMatching(/^HttpApi[0-9A-F]{8}$/) });
      return `${statement.Effect} ${statement.Action} ${parts[parts.length - 1] as string}`;
    });
  });
}

function stageOf(template: Template): Record<string, unknown> {
  const stages = Object.values(template.findResources('AWS::ApiGateway::Stage'));
  expect(stages).toHaveLength(1);
  return stages[0]!.Properties;
}

/** The ingest or query function's properties, by its logical-id prefix. */
function apiFunction(template: Template, name: 'Ingest' | 'Query'): Record<string, unknown> {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(`${name}Function`));
  expect(found).toHaveLength(1);
  return found[0]![1].Properties;
}

describe('Construct: PipelineApi', () => {
  describe('by default', () => {
    let template: Template;
    beforeAll(() => {
      template = synth().template;
    });

    it('needs a SigV4 signature (AWS_IAM) on every route, and no API key without producers', () => {
      const methods = methodsOf(template);
      expect([...methods.keys()].sort()).toEqual(['GET /events', 'GET /metrics/{name}', 'POST /events']);
      for (const [route, method] of methods) {
        expect({ route, authorizationType: method.AuthorizationType, apiKeyRequired: method.ApiKeyRequired ?? false }).toEqual({ route, authorizationType: 'AWS_IAM', apiKeyRequired: false });
      }
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
      template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    });

    it('outputs one managed policy per audience, each allowing exactly its routes: a producer cannot read raw events', () => {
      expect(grantsOf(template, 'ProducerPolicyArn')).toEqual(['Allow execute-api:Invoke /v1/POST/events']);
      expect(grantsOf(template, 'MetricsReaderPolicyArn')).toEqual(['Allow execute-api:Invoke /v1/GET/metrics/*']);
      expect(grantsOf(template, 'EventsReaderPolicyArn')).toEqual(['Allow execute-api:Invoke /v1/GET/events']);
      const outputs = template.toJSON().Outputs as Record<string, { Description?: string }>;
      expect(outputs.ProducerPolicyArn?.Description).toBe("Send events (POST /events): attach to the producer's role");
    });

    it('throttles the stage to what two shards take (1,000 requests/s per shard, burst the same), logs errors and per-method metrics, never bodies', () => {
      expect(stageOf(template).MethodSettings).toEqual([
        { HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 2_000, ThrottlingBurstLimit: 2_000, LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true },
      ]);
    });

    it('writes a JSON access log line per request naming the caller (IAM identity, API key, source IP) to its own log group kept 30 days', () => {
      const accessLog = stageOf(template).AccessLogSetting as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
      expect(JSON.parse(accessLog.Format)).toEqual(
        expect.objectContaining({
          requestId: '$context.requestId',
          httpMethod: '$context.httpMethod',
          resourcePath: '$context.resourcePath',
          status: '$context.status',
          responseLength: '$context.responseLength',
          integrationLatencyMs: '$context.integrationLatency',
          sourceIp: '$context.identity.sourceIp',
          caller: '$context.identity.caller',
          user: '$context.identity.user',
          userArn: '$context.identity.userArn',
          accountId: '$context.identity.accountId',
          apiKeyId: '$context.identity.apiKeyId',
          errorMessage: '$context.error.message',
        }),
      );
      expect(JSON.parse(accessLog.Format)).not.toHaveProperty('wafStatus');
      const logGroupId = accessLog.DestinationArn['Fn::GetAtt'][0];
      const logGroup = (template.toJSON().Resources as Record<string, Resource>)[logGroupId]!;
      expect(logGroup).toEqual(expect.objectContaining({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' }));
    });

    it("creates the stage's execution log group itself, so it has the retention too", () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^HttpApi') }, '/v1']] },
        RetentionInDays: 30,
      });
    });

    it("sets the account's API Gateway CloudWatch role (execution logs need it) and retains it on destroy", () => {
      template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
      template.hasResource('AWS::IAM::Role', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] }) }),
      });
    });

    it('traces the stage with X-Ray', () => {
      expect(stageOf(template).TracingEnabled).toBe(true);
    });

    it('reserves concurrency for ingest (⌈2,000 requests/s × 50 ms⌉ = 100) and query (10)', () => {
      expect(apiFunction(template, 'Ingest').ReservedConcurrentExecutions).toBe(100);
      expect(apiFunction(template, 'Query').ReservedConcurrentExecutions).toBe(10);
    });

    it('validates the metric route\'s path parameter', () => {
      const validators = Object.entries(template.findResources('AWS::ApiGateway::RequestValidator'));
      expect(validators.map(([, validator]) => validator.Properties)).toEqual([
        { RestApiId: { Ref: expect.stringMatching(/^HttpApi/) }, Name: 'path-and-query-parameters', ValidateRequestParameters: true, ValidateRequestBody: false },
      ]);
      expect(methodsOf(template).get('GET /metrics/{name}')).toEqual(
        expect.objectContaining({ RequestParameters: { 'method.request.path.name': true }, RequestValidatorId: { Ref: validators[0]![0] } }),
      );
    });

    it('has no WAF, no CORS preflight and no CORS origins in the query function', () => {
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
      expect([...methodsOf(template).keys()].filter((route) => route.startsWith('OPTIONS'))).toEqual([]);
      expect((apiFunction(template, 'Query').Environment as { Variables: Record<string, unknown> }).Variables).not.toHaveProperty('CORS_ORIGINS');
    });
  });

  it('derives the stage throttle and the ingest concurrency from 4 shards: 4,000 requests/s, burst 4,000, 200 copies', () => {
    const { template } = synth({ stream: { shardCount: 4 } });
    expect(stageOf(template).MethodSettings).toEqual([expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 4_000, ThrottlingBurstLimit: 4_000 })]);
    expect(apiFunction(template, 'Ingest').ReservedConcurrentExecutions).toBe(200);
  });

  it('takes the configured limits, retention and tracing over the derived ones; false reserves no concurrency', () => {
    const { template } = synth({
      api: { rateLimitPerSecond: 300, burstLimit: 100, ingestReservedConcurrency: false, queryReservedConcurrency: false },
      observability: { logRetentionDays: 90, tracing: false },
    });
    expect(stageOf(template).MethodSettings).toEqual([expect.objectContaining({ ThrottlingRateLimit: 300, ThrottlingBurstLimit: 100 })]);
    expect(stageOf(template).TracingEnabled).toBe(false);
    expect(apiFunction(template, 'Ingest')).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(apiFunction(template, 'Query')).not.toHaveProperty('ReservedConcurrentExecutions');
    // The API's two: access and execution logs.
    const apiLogGroups = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('Http'));
    expect(apiLogGroups.map(([, group]) => group.Properties.RetentionInDays)).toEqual([90, 90]);
  });

  describe('with producers', () => {
    let template: Template;
    beforeAll(() => {
      template = synth({
        api: {
          producers: [
            { name: 'checkout-eu', rateLimitPerSecond: 100, burstLimit: 50, quotaPerDay: 1_000_000 },
            { name: 'billing', rateLimitPerSecond: 20, burstLimit: 10 },
          ],
        },
      }).template;
    });

    it('gives each an API key whose value API Gateway generates, and a usage plan with its throttle and daily quota on the stage', () => {
      const keys = template.findResources('AWS::ApiGateway::ApiKey');
      expect(Object.values(keys).map((key) => key.Properties)).toEqual([
        { Name: 'tributary-checkout-eu', Description: 'Tributary producer checkout-eu: sent as x-api-key with its signed POST /events', Enabled: true },
        { Name: 'tributary-billing', Description: 'Tributary producer billing: sent as x-api-key with its signed POST /events', Enabled: true },
      ]);
      const plans = Object.entries(template.findResources('AWS::ApiGateway::UsagePlan'));
      expect(plans.map(([, plan]) => [plan.Properties.UsagePlanName, plan.Properties.Throttle, plan.Properties.Quota])).toEqual([
        ['tributary-checkout-eu', { RateLimit: 100, BurstLimit: 50 }, { Limit: 1_000_000, Period: 'DAY' }],
        ['tributary-billing', { RateLimit: 20, BurstLimit: 10 }, undefined],
      ]);
      for (const [, plan] of plans) expect(plan.Properties.ApiStages).toEqual([expect.objectContaining({ ApiId: { Ref: expect.stringMatching(/^HttpApi/) }, Stage: { Ref: expect.stringMatching(/^HttpApiDeploymentStagev1/) } })]);
      const keyIds = Object.keys(keys);
      const planKeys = Object.values(template.findResources('AWS::ApiGateway::UsagePlanKey')).map((planKey) => [planKey.Properties.UsagePlanId.Ref, planKey.Properties.KeyId.Ref]);
      expect(planKeys).toEqual([
        [plans[0]![0], keyIds[0]],
        [plans[1]![0], keyIds[1]],
      ]);
    });

    it('needs the API key on POST /events only, in addition to the signature', () => {
      const methods = methodsOf(template);
      expect(methods.get('POST /events')).toEqual(expect.objectContaining({ AuthorizationType: 'AWS_IAM', ApiKeyRequired: true }));
      expect(methods.get('GET /events')?.ApiKeyRequired ?? false).toBe(false);
      expect(methods.get('GET /metrics/{name}')?.ApiKeyRequired ?? false).toBe(false);
    });

    it("outputs each producer's key id, so an operator can fetch its value", () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
      const keyIds = Object.keys(template.findResources('AWS::ApiGateway::ApiKey'));
      expect(outputs.ProducerApiKeyIdCheckoutEu).toEqual({
        Value: { Ref: keyIds[0] },
        Description: 'API key id of producer checkout-eu; its value: aws apigateway get-api-key --api-key <id> --include-value',
      });
      expect(outputs.ProducerApiKeyIdBilling?.Value).toEqual({ Ref: keyIds[1] });
    });
  });

  it('puts a regional WAF web ACL on the stage when configured: a rate-based rule per client IP answering 429, and WAF fields in the access log', () => {
    const { template } = synth({ api: { wafRateLimitPer5Minutes: 2_000 } });
    const acls = Object.entries(template.findResources('AWS::WAFv2::WebACL'));
    expect(acls).toHaveLength(1);
    const [aclId, acl] = acls[0]!;
    expect(acl.Properties).toEqual(
      expect.objectContaining({
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: [
          expect.objectContaining({
            Name: 'rate-per-client-ip',
            Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' } } },
            Statement: { RateBasedStatement: { Limit: 2_000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
          }),
        ],
      }),
    );
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith(['/stages/', { Ref: Match.stringLikeRegexp('^HttpApiDeploymentStagev1') }])] },
    });
    expect(JSON.parse((stageOf(template).AccessLogSetting as { Format: string }).Format)).toEqual(
      expect.objectContaining({ wafStatus: '$context.waf.status', wafError: '$context.waf.error', wafResponseCode: '$context.wafResponseCode' }),
    );
  });

  it('answers CORS preflights on the read routes only, with the configured origins, and tells the query function the origins', () => {
    const { template } = synth({ api: { corsOrigins: ['https://dashboard.example.com', 'http://localhost:5173'] } });
    const methods = methodsOf(template);
    expect([...methods.keys()].sort()).toEqual(['GET /events', 'GET /metrics/{name}', 'OPTIONS /events', 'OPTIONS /metrics/{name}', 'POST /events']);
    for (const route of ['OPTIONS /events', 'OPTIONS /metrics/{name}']) {
      const preflight = methods.get(route)!;
      // Browsers send preflights unsigned; the MOCK integration answers them without reaching a function.
      expect(preflight.AuthorizationType).toBe('NONE');
      const integration = preflight.Integration as { Type: string; IntegrationResponses: { StatusCode: string; ResponseParameters: Record<string, string>; ResponseTemplates: Record<string, string> }[] };
      expect(integration.Type).toBe('MOCK');
      const [response] = integration.IntegrationResponses;
      expect(response!.ResponseParameters).toEqual(
        expect.objectContaining({
          'method.response.header.Access-Control-Allow-Origin': "'https://dashboard.example.com'",
          'method.response.header.Access-Control-Allow-Methods': "'GET'",
          'method.response.header.Access-Control-Allow-Headers': `'${CORS_ALLOW_HEADERS.join(',')}'`,
          'method.response.header.Vary': "'Origin'",
        }),
      );
      // The second origin is echoed only when it is the request's.
      expect(response!.ResponseTemplates['application/json']).toContain('#if($origin == "http://localhost:5173")');
    }
    expect(CORS_ALLOW_HEADERS).toEqual(expect.arrayContaining(['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token', 'X-Api-Key', 'Content-Type']));
    expect((apiFunction(template, 'Query').Environment as { Variables: Record<string, unknown> }).Variables.CORS_ORIGINS).toBe('https://dashboard.example.com,http://localhost:5173');
  });

  it("opens every route with authorization 'none', and warns at synth that anyone can call it", () => {
    const { stack, template } = synth({ api: { authorization: 'none' } });
    for (const [route, method] of methodsOf(template)) expect({ route, authorizationType: method.AuthorizationType }).toEqual({ route, authorizationType: 'NONE' });
    Annotations.fromStack(stack).hasWarning('/Test/Http/Api', Match.stringLikeRegexp('api.authorization is "none": every route of this API is open to anyone who knows its URL'));
  });

  it('warns nothing about authorization by default', () => {
    const { stack } = synth();
    Annotations.fromStack(stack).hasNoWarning('/Test/Http/Api', Match.stringLikeRegexp('open to anyone'));
  });
});
