import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Where the pipeline's alarms go. */
export interface AlarmTopicProps {
  /** The stack's customer-managed key; else the topic gets a key of its own (see AlarmTopic). */
  readonly key?: kms.IKey;
  /** Subscribed by email (validated by resolveConfig). @default [] */
  readonly emails?: readonly string[];
  /** Subscribed over HTTPS (validated by resolveConfig: https only). @default [] */
  readonly httpsEndpoints?: readonly string[];
}

/**
 * The one SNS topic every alarm of the stack notifies, warning and critical
 * alike (the severity is in the alarm's name), on alarm and on return to OK.
 * Encrypted and TLS-only like the change topic: an alarm names resources.
 *
 * Not with SNS's AWS-managed key (alias/aws/sns) as the change topic is: CloudWatch
 * publishes alarm actions as its service principal, which that key's policy (which
 * nobody can edit) does not let use the key, so every notification would be dropped
 * while the stack deploys cleanly (SNS developer guide, "Enable compatibility between
 * event sources from AWS services and encrypted topics"). The stack key when there is
 * one, else a key for this topic alone, with a policy statement for CloudWatch
 * alarms of this account and stack.
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.IKey;

  public constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.key =
      props.key ??
      new kms.Key(this, 'Key', {
        description: 'Tributary alarm topic: CloudWatch alarms publish through it',
        enableKeyRotation: true,
        // It encrypts only notifications in flight; nothing kept would be unreadable without it.
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisStack',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          // The alarms are named after the stack (PipelineMonitoring's alarmNamePrefix).
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${Stack.of(this).stackName}-*` },
        },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true });
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of props.httpsEndpoints ?? []) this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
  }
}
