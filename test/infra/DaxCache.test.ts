import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TributaryStack } from '../../infra/TributaryStack';
import type { TributaryConfig } from '../../config/TributaryConfig';
import { ordersPerRegion } from '../support/factories';

function synth(config: TributaryConfig): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new TributaryStack(app, 'Test', { config }));
}

const queryFunctionOf = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Environment?.Variables?.EVENTS_TABLE && fn.Properties.Environment?.Variables?.AGGREGATES_TABLE)!;

describe('DAX switch', () => {
  it('with DAX (the default): an encrypted cluster in isolated subnets with a DynamoDB gateway endpoint, TTLs from a parameter group, and a VPC-attached query function', () => {
    const template = synth({ metrics: [ordersPerRegion], cache: { nodes: 2, itemTtlMs: 500, queryTtlMs: 2_000 } });

    template.hasResourceProperties('AWS::DAX::Cluster', {
      ReplicationFactor: 2,
      NodeType: 'dax.t3.small',
      SSESpecification: { SSEEnabled: true },
      ClusterEndpointEncryptionType: 'TLS',
    });
    template.hasResourceProperties('AWS::DAX::ParameterGroup', { ParameterNameValues: { 'record-ttl-millis': '500', 'query-ttl-millis': '2000' } });
    template.resourceCountIs('AWS::DAX::SubnetGroup', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.dynamodb'])] }) });
    // Only the cluster's own port, only from the reading functions.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 9111, ToPort: 9111 });
    const query = queryFunctionOf(template);
    expect(query.Properties.VpcConfig.SubnetIds.length).toBe(2);
    expect(query.Properties.Environment.Variables.DAX_ENDPOINT).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CacheCluster/), 'ClusterDiscoveryEndpointURL'] });
  });

  it('without DAX: no cluster, no VPC, and the query function reads DynamoDB directly', () => {
    const template = synth({ metrics: [ordersPerRegion], cache: { dax: false } });

    template.resourceCountIs('AWS::DAX::Cluster', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    const query = queryFunctionOf(template);
    expect(query.Properties.VpcConfig).toBeUndefined();
    expect(query.Properties.Environment.Variables.DAX_ENDPOINT).toBeUndefined();
  });

  it('refuses an invalid cache setting at synth with its exact message', () => {
    expect(() => synth({ metrics: [ordersPerRegion], cache: { nodes: 0, nodeType: 'm5.large' } })).toThrow(
      /cache\.nodes must be an integer from 1 to 10 \(got 0\)[\s\S]*cache\.nodeType must be a DAX node type such as "dax\.t3\.small" \(got "m5\.large"\)/,
    );
  });
});
