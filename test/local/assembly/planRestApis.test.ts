import { beforeAll, describe, expect, it } from 'vitest';
import type { SynthesizedStack } from '../../../local/assembly/CloudAssembly';
import { notEmulatedResources } from '../../../local/assembly/notEmulatedResources';
import { planRestApis, UnsupportedApiError } from '../../../local/assembly/planRestApis';
import { synthesizedStack } from '../../support/synthesizedRestApi';

const SECURED = {
  producers: [
    { name: 'shop', rateLimitPerSecond: 5, burstLimit: 10, quotaPerDay: 1_000 },
    { name: 'pos', rateLimitPerSecond: 20, burstLimit: 40 },
  ],
  corsOrigins: ['http://localhost:5173', 'https://dash.example.com'],
  wafRateLimitPer5Minutes: 2_000,
};

describe('Function: planRestApis, on the synthesized stack', () => {
  let defaults: SynthesizedStack;
  let secured: SynthesizedStack;

  beforeAll(() => {
    defaults = synthesizedStack();
    secured = synthesizedStack(SECURED);
  }, 60_000);

  it('plans every route AWS_IAM, POST /events with an API key once producers exist, and the stage throttle from the shards', () => {
    // Act
    const [plain] = planRestApis(defaults);
    const [withProducers] = planRestApis(secured);

    // Assess
    const routesOf = (api: typeof plain) => api!.routes.map((route) => `${route.httpMethod} ${route.resourcePath} ${route.authorizationType} key:${route.apiKeyRequired}`);
    expect(routesOf(plain)).toEqual(['POST /events AWS_IAM key:false', 'GET /events AWS_IAM key:false', 'GET /metrics/{name} AWS_IAM key:false']);
    expect(routesOf(withProducers)).toEqual(['POST /events AWS_IAM key:true', 'GET /events AWS_IAM key:false', 'GET /metrics/{name} AWS_IAM key:false']);
    // 2 shards × 1,000 records/s (config/deriveApiDefaults.ts).
    expect(plain!.stageThrottle).toEqual({ rateLimitPerSecond: 2_000, burstLimit: 2_000 });
    expect(plain!.usagePlans).toEqual([]);
    expect(plain!.corsPreflights).toEqual([]);
  });

  it("plans each producer's usage plan with its throttle, quota and API key", () => {
    // Act
    const [api] = planRestApis(secured);

    // Assess
    expect(api!.usagePlans).toEqual([
      {
        name: 'tributary-shop',
        throttle: { rateLimitPerSecond: 5, burstLimit: 10 },
        quota: { limit: 1_000, period: 'DAY' },
        apiKeys: [{ id: expect.stringMatching(/^[0-9a-f]{10}$/), name: 'tributary-shop', producer: 'shop', enabled: true }],
      },
      {
        name: 'tributary-pos',
        throttle: { rateLimitPerSecond: 20, burstLimit: 40 },
        apiKeys: [{ id: expect.stringMatching(/^[0-9a-f]{10}$/), name: 'tributary-pos', producer: 'pos', enabled: true }],
      },
    ]);
    expect(api!.usagePlans[0]!.apiKeys[0]!.id).not.toBe(api!.usagePlans[1]!.apiKeys[0]!.id);
  });

  it('plans the three managed policies by their outputs, with the execute-api ARNs their Fn::Join builds', () => {
    // Act
    const [api] = planRestApis(defaults);

    // Assess
    const arn = (resource: string) => `arn:aws:execute-api:us-east-1:000000000000:${api!.restApiId}/v1/${resource}`;
    expect(api!.managedPolicies.map((policy) => [policy.name, policy.statements])).toEqual([
      ['ProducerPolicy', [{ effect: 'Allow', actions: ['execute-api:Invoke'], resources: [arn('POST/events')] }]],
      ['MetricsReaderPolicy', [{ effect: 'Allow', actions: ['execute-api:Invoke'], resources: [arn('GET/metrics/*')] }]],
      ['EventsReaderPolicy', [{ effect: 'Allow', actions: ['execute-api:Invoke'], resources: [arn('GET/events')] }]],
    ]);
  });

  it("plans the read routes' CORS preflights with every configured origin and the MOCK's headers", () => {
    // Act
    const [api] = planRestApis(secured);

    // Assess
    const headers = {
      'access-control-allow-headers': 'Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Api-Key,Content-Type',
      'access-control-allow-methods': 'GET',
      'access-control-max-age': '600',
      vary: 'Origin',
    };
    expect(api!.corsPreflights).toEqual(
      ['/events', '/metrics/{name}'].map((resourcePath) => ({ resourcePath, statusCode: 204, allowedOrigins: SECURED.corsOrigins, headers })),
    );
  });

  it("plans every route NONE with authorization 'none'", () => {
    // Act
    const [api] = planRestApis(synthesizedStack({ authorization: 'none' }));

    // Assess
    expect(api!.routes.map((route) => route.authorizationType)).toEqual(['NONE', 'NONE', 'NONE']);
  });

  it('refuses a method whose authorization it cannot emulate, naming it', () => {
    // Prepare
    const stack: SynthesizedStack = {
      stackName: 'T',
      assetDirs: new Map(),
      template: {
        Resources: {
          Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
          Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
          Get: {
            Type: 'AWS::ApiGateway::Method',
            Properties: {
              RestApiId: { Ref: 'Api' },
              ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
              HttpMethod: 'GET',
              AuthorizationType: 'COGNITO_USER_POOLS',
              Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::Join': ['', ['arn:aws:apigateway:lambda:path/functions/', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '/invocations']] } },
            },
          },
        },
      },
    };

    // Act
    const planning = () => planRestApis(stack);

    // Assess
    expect(planning).toThrow(UnsupportedApiError);
    expect(planning).toThrow('API method Get: authorization COGNITO_USER_POOLS is not emulated offline (only AWS_IAM and NONE are)');
  });
});

describe('Function: notEmulatedResources, on the synthesized stack', () => {
  it('reports nothing UNSUPPORTED for the default config nor for one with producers, CORS and WAF', () => {
    // Act
    const unsupported = [synthesizedStack(), synthesizedStack(SECURED)].map((stack) =>
      notEmulatedResources(stack.template.Resources).filter((entry) => entry.reason.startsWith('UNSUPPORTED')),
    );

    // Assess
    expect(unsupported).toEqual([[], []]);
  }, 60_000);

  it('names WAF as not emulated, with what still answers floods', () => {
    // Act
    const waf = notEmulatedResources(synthesizedStack(SECURED).template.Resources).filter((entry) => entry.type.startsWith('AWS::WAFv2::'));

    // Assess
    expect(waf.map((entry) => [entry.type, entry.reason])).toEqual([
      ['AWS::WAFv2::WebACL', 'WAF is not emulated offline: the stage throttle and usage plans still answer floods with 429'],
      ['AWS::WAFv2::WebACLAssociation', 'WAF is not emulated offline: the stage throttle and usage plans still answer floods with 429'],
    ]);
  }, 60_000);
});

describe('Function: notEmulatedResources, the monitoring resources', () => {
  it('names the dashboard as not emulated, with why, and no longer the alarms (the host evaluates them)', () => {
    // Act
    const monitoring = notEmulatedResources(synthesizedStack().template.Resources).filter((entry) => entry.type.startsWith('AWS::CloudWatch::') || entry.type === 'AWS::SNS::Subscription');

    // Assess: one dashboard, no alarm, and no subscription in the default config.
    expect(monitoring).toEqual([
      { logicalId: expect.any(String), type: 'AWS::CloudWatch::Dashboard', reason: 'the CloudWatch dashboard is not emulated offline: the local dashboard (npm start) shows the pipeline instead' },
    ]);
  }, 60_000);
});
