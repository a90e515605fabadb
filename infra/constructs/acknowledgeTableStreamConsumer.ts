import { Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The cdk-nag findings every consumer of a DynamoDB table stream carries, with
 * why each does not apply: one place for the change publisher and the alert
 * function, which are wired the same way.
 */
export function acknowledgeTableStreamConsumer(fn: lambda.Function): void {
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'Invoked only by its DynamoDB Streams event source mapping, synchronously: a function DLQ catches asynchronous invocations only. Failed changes go to the mapping\'s on-failure destination (DeadLetterQueue)',
  });
  // The role's one wildcard besides X-Ray's (acknowledged in createTributaryFunction with the same id).
  if (fn.role) {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the DynamoDB Streams event source mapping needs, supports no resource-level permission; the other stream actions are on this table\'s stream ARN. With tracing, xray:PutTraceSegments/PutTelemetryRecords, which support none either',
    });
  }
}
