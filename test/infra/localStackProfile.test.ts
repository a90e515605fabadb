import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { TributaryStack } from '../../infra/TributaryStack';
import { ordersPerRegion } from '../support/factories';

/** Asks for everything LocalStack's free tier lacks, so the profile has something to take out. */
const EVERYTHING: TributaryConfig = {
  metrics: [ordersPerRegion],
  cache: { dax: true },
  api: { wafRateLimitPer5Minutes: 2_000 },
  observability: { tracing: true },
};

function synth(context: Record<string, unknown>): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config: EVERYTHING }));
}

const types = (template: Template): Set<string> => new Set(Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((resource) => resource.Type));

describe('LocalStack profile (-c target=localstack)', () => {
  const aws = synth({});
  const localStack = synth({ target: 'localstack' });

  it('keeps DAX, WAF and X-Ray when deploying to AWS', () => {
    for (const type of ['AWS::DAX::Cluster', 'AWS::WAFv2::WebACL', 'AWS::WAFv2::WebACLAssociation']) expect(types(aws).has(type)).toBe(true);
    aws.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
  });

  it('leaves out DAX (and its VPC), WAF and X-Ray even when the config asks for them', () => {
    const present = types(localStack);
    for (const type of ['AWS::DAX::Cluster', 'AWS::DAX::SubnetGroup', 'AWS::EC2::VPC', 'AWS::WAFv2::WebACL', 'AWS::WAFv2::WebACLAssociation']) expect(present.has(type)).toBe(false);
    const stage = Object.values(localStack.findResources('AWS::ApiGateway::Stage'))[0] as { Properties: { TracingEnabled?: boolean } };
    expect(stage.Properties.TracingEnabled).not.toBe(true);
    for (const fn of Object.values(localStack.findResources('AWS::Lambda::Function')) as { Properties: { TracingConfig?: unknown; Environment?: { Variables?: Record<string, unknown> } } }[]) {
      expect(fn.Properties.TracingConfig).toBeUndefined();
      expect(fn.Properties.Environment?.Variables?.POWERTOOLS_TRACE_ENABLED).toBe('false');
    }
  });

  it('keeps every security control LocalStack does emulate: IAM on every route, the stage throttle, access logs', () => {
    const methods = Object.values(localStack.findResources('AWS::ApiGateway::Method')) as { Properties: { AuthorizationType: string } }[];
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    const stage = Object.values(localStack.findResources('AWS::ApiGateway::Stage'))[0] as { Properties: Record<string, unknown> };
    expect(stage.Properties.AccessLogSetting).toBeDefined();
    expect(JSON.stringify(stage.Properties.MethodSettings)).toContain('ThrottlingRateLimit');
  });

  it('refuses a target it does not know, naming the flag', () => {
    expect(() => synth({ target: 'azure' })).toThrow('target must be "aws" or "localstack" (got "azure"); pass it as -c target=localstack');
  });
});
