import { RemovalPolicy } from 'aws-cdk-lib';
import * as dax from 'aws-cdk-lib/aws-dax';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import type { FunctionBaseline } from './createTributaryFunction';
import { grantTableActions } from './grantTableActions';

/** DAX listens on 9111 with TLS (8111 without). */
const DAX_TLS_PORT = 9111;

export interface DaxCacheProps {
  /** The tables reads go through DAX for. */
  readonly tables: readonly dynamodb.ITable[];
  readonly settings: ResolvedConfig['cache'];
  /** Log retention and the stack's key: the VPC flow log's group. */
  readonly baseline: FunctionBaseline;
}

/**
 * A DAX cluster in front of the aggregates table: encrypted at rest and in
 * transit, in a VPC of isolated private subnets (no NAT), with a DynamoDB
 * gateway endpoint so VPC-attached readers reach the tables DAX does not serve.
 * Item and query cache TTLs come from a parameter group: the aggregator writes
 * DynamoDB directly, so the item TTL is the staleness bound of a read.
 * The cluster's role may only read (the query API never writes through DAX),
 * and the VPC logs rejected traffic. DAX encrypts at rest with an AWS-owned
 * key only: it takes no customer-managed key, even when the stack has one.
 */
export class DaxCache extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly cluster: dax.CfnCluster;
  private readonly clientSecurityGroup: ec2.SecurityGroup;

  public constructor(scope: Construct, id: string, props: DaxCacheProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      // The stack is environment-agnostic (infra/buildApp.ts), so CDK knows only two zones of the region
      // (Fn::GetAZs): three nodes share two subnets, one zone holding two of them.
      maxAzs: Math.min(3, props.settings.nodes),
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
    });
    // Rejected traffic only: the VPC has no route out, so a reject is the signal worth keeping; accepted
    // traffic would log every DAX read at the cost of CloudWatch ingestion.
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.baseline.observability.logRetentionDays as logs.RetentionDays,
      ...(props.baseline.key ? { encryptionKey: props.baseline.key } : {}),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', { vpc: this.vpc, description: 'Functions that read through DAX' });
    const clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', { vpc: this.vpc, description: 'DAX cluster', allowAllOutbound: false });
    clusterSecurityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(DAX_TLS_PORT), 'DAX over TLS from the reading functions');

    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('dax.amazonaws.com') });
    // What DAX calls on the query's behalf: the key schema, and the three reads WindowQueries sends (no index, no Scan, no writes).
    for (const table of props.tables) grantTableActions(role, table, ['DescribeTable', 'GetItem', 'BatchGetItem', 'Query']);
    const subnetGroup = new dax.CfnSubnetGroup(this, 'SubnetGroup', {
      subnetIds: this.vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
      description: 'Tributary DAX',
    });
    const parameterGroup = new dax.CfnParameterGroup(this, 'ParameterGroup', {
      description: 'Tributary: item TTL = staleness bound of a read; the query cache is never invalidated by writes',
      parameterNameValues: { 'record-ttl-millis': String(props.settings.itemTtlMs), 'query-ttl-millis': String(props.settings.queryTtlMs) },
    });
    this.cluster = new dax.CfnCluster(this, 'Cluster', {
      iamRoleArn: role.roleArn,
      nodeType: props.settings.nodeType,
      replicationFactor: props.settings.nodes,
      subnetGroupName: subnetGroup.ref,
      parameterGroupName: parameterGroup.ref,
      securityGroupIds: [clusterSecurityGroup.securityGroupId],
      sseSpecification: { sseEnabled: true },
      clusterEndpointEncryptionType: 'TLS',
    });
  }

  /** Where readers find the cluster: its discovery endpoint (the query's `daxEndpoint` setting). */
  public get endpoint(): string {
    return this.cluster.attrClusterDiscoveryEndpointUrl;
  }

  /** Lets `fn` (created with functionVpc, and told the endpoint) read through the cluster. */
  public grantReads(fn: lambda.Function): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dax:GetItem', 'dax:BatchGetItem', 'dax:Query'], resources: [this.cluster.attrArn] }));
  }

  /** The VPC settings a reading function is created with. */
  public get functionVpc(): { vpc: ec2.IVpc; vpcSubnets: ec2.SubnetSelection; securityGroups: ec2.ISecurityGroup[] } {
    return { vpc: this.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [this.clientSecurityGroup] };
  }
}
