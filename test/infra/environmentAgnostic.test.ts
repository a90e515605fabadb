import { Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/buildApp';
import { tributaryConfig } from '../../infra/tributary.config';

/** Any AWS region name, e.g. us-east-1, eu-central-2, ap-southeast-4. */
const REGION_LITERAL = /\b(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?[a-z]+-\d\b/g;

describe('Function: buildApp', () => {
  const saved = { region: process.env.CDK_DEFAULT_REGION, account: process.env.CDK_DEFAULT_ACCOUNT };
  beforeEach(() => {
    // What the CDK CLI exports when the deployer has no region configured.
    process.env.CDK_DEFAULT_REGION = 'us-east-1';
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
  });
  afterEach(() => {
    for (const [name, value] of [['CDK_DEFAULT_REGION', saved.region], ['CDK_DEFAULT_ACCOUNT', saved.account]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each([
    ['as configured (DAX on)', tributaryConfig],
    ['without DAX, with a customer-managed key', { ...tributaryConfig, cache: { dax: false }, encryption: { customerManagedKey: true } }],
  ])('synthesizes %s with no literal region or account: ARNs use AWS::Region and AWS::AccountId', (_, config) => {
    // Prepare
    const { stack } = buildApp(config, { context: { 'aws:cdk:bundling-stacks': [] } });

    // Act
    const text = JSON.stringify(Template.fromStack(stack).toJSON());

    // Assess
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(text.match(REGION_LITERAL) ?? []).toEqual([]);
    expect(text).not.toContain('123456789012');
    expect(text).toContain('"Ref":"AWS::Region"');
  });
});
