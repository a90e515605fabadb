import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Why a stream consumer's DLQ has no DLQ of its own (the cdk-nag acknowledgement). */
const STREAM_DLQ_REASON =
  'This queue is itself the dead-letter queue: the on-failure destination of a stream event source mapping. It only holds failure records; nothing consumes it but the operator redrive (ops/redriveDeadLetters.ts), so a queue behind it would have nothing to catch';

/**
 * A consumer's on-failure queue, created in `scope` as `DeadLetterQueue`:
 * encrypted (with `key` when the stack has a customer-managed one), TLS only,
 * 14 days to redrive, and retained when the stack is destroyed — its messages
 * are batches no window has applied yet. `reason` says why it needs no DLQ
 * of its own, for a queue that is not a stream consumer's.
 */
export function createDeadLetterQueue(scope: Construct, key?: kms.IKey, reason: string = STREAM_DLQ_REASON): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    ...(key ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key } : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
  return queue;
}
