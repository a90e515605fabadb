import { Aws, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** The alias the stack's customer-managed key is found by. */
export const STACK_KEY_ALIAS = 'alias/tributary';

/**
 * The stack's customer-managed key (encryption.customerManagedKey), created in
 * `scope` as `Key`: rotated yearly, retained on destroy (every retained table,
 * queue and backup it encrypted would be unreadable without it), aliased
 * `alias/tributary`. The stream, tables, queues and topic use it through
 * their services, with grants to the functions that read or write them; the
 * key policy also lets CloudWatch Logs of this region and account use it for
 * the stack's log groups (and no other account's).
 */
export function createStackKey(scope: Construct): kms.Key {
  const key = new kms.Key(scope, 'Key', {
    description: 'Tributary: stream, tables, queues, topic and log groups',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    alias: STACK_KEY_ALIAS,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(Fn.join('', ['logs.', Aws.REGION, '.', Aws.URL_SUFFIX]))],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }),
  );
  return key;
}
