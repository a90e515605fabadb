import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A consumer's on-failure queue, created in `scope` as `DeadLetterQueue`: encrypted, TLS only, 14 days to redrive. */
export function createDeadLetterQueue(scope: Construct): sqs.Queue {
  return new sqs.Queue(scope, 'DeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14), enforceSSL: true });
}
