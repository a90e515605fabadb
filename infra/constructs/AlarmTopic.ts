import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Where the pipeline's alarms go. */
export interface AlarmTopicProps {
  /** The stack's customer-managed key; else SNS's AWS-managed key (alias/aws/sns). */
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
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;

  public constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: props.key ?? kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    // CloudWatch publishes through the key: with a customer-managed one it must be allowed to.
    props.key?.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of props.httpsEndpoints ?? []) this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
  }
}
