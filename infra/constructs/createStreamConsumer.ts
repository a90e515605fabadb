import { Duration, Names, Validations } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisConsumerEventSource, KinesisEventSource, SqsDlq, type KinesisEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/TributaryConfig';
import { createDeadLetterQueue } from './createDeadLetterQueue';
import { createTributaryFunction, type TributaryFunctionProps } from './createTributaryFunction';

/** A stream consumer's mapping and timeout, and whether it reads through its own enhanced fan-out consumer. */
export type StreamConsumerSettings = Pick<
  ResolvedConfig['archive'],
  'batchSize' | 'maxBatchingWindowSeconds' | 'maxRetryAttempts' | 'maxRecordAgeSeconds' | 'parallelizationFactor' | 'timeoutSeconds'
> & { readonly enhancedFanOut?: boolean };

/** A stream consumer's parts. */
export interface StreamConsumer {
  readonly function: lambda.Function;
  readonly deadLetterQueue: sqs.Queue;
  /** The enhanced fan-out consumer the mapping reads through, when `enhancedFanOut` is on. */
  readonly streamConsumer?: kinesis.StreamConsumer;
}

/**
 * A function consuming the stream with the failure handling a stream needs:
 * partial batch responses, bisect on error, bounded retries and record age,
 * `parallelizationFactor` pollers per shard, and its own encrypted SQS
 * on-failure queue (14 days), so a redrive knows which consumer a message is
 * for (encrypted with `key` when the stack has a customer-managed one).
 * With `enhancedFanOut` the mapping is on a registered stream consumer
 * (`StreamConsumer`, SubscribeToShard) instead of the stream itself; its grant
 * is the stream's read actions plus DescribeStreamConsumer and
 * SubscribeToShard on that consumer alone (and the stream key's decrypt).
 * Created in `scope` as `DeadLetterQueue`, `Function` and `StreamConsumer`.
 */
export function createStreamConsumer(
  scope: Construct,
  stream: kinesis.IStream,
  settings: StreamConsumerSettings,
  functionProps: TributaryFunctionProps,
  key?: kms.IKey,
): StreamConsumer {
  const deadLetterQueue = createDeadLetterQueue(scope, key);
  const fn = createTributaryFunction(scope, 'Function', { timeout: Duration.seconds(settings.timeoutSeconds), ...functionProps });
  const mapping: KinesisEventSourceProps = {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: settings.batchSize,
    maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
    bisectBatchOnError: true,
    retryAttempts: settings.maxRetryAttempts,
    maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
    reportBatchItemFailures: true,
    parallelizationFactor: settings.parallelizationFactor,
    onFailure: new SqsDlq(deadLetterQueue),
  };
  // A consumer name is unique per stream; the construct path makes it unique per stack too.
  const streamConsumer = settings.enhancedFanOut
    ? new kinesis.StreamConsumer(scope, 'StreamConsumer', { stream, streamConsumerName: Names.uniqueResourceName(scope, { maxLength: 128 }) })
    : undefined;
  fn.addEventSource(streamConsumer ? new KinesisConsumerEventSource(streamConsumer, mapping) : new KinesisEventSource(stream, mapping));
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'Invoked only by its Kinesis event source mapping, synchronously: a function DLQ catches asynchronous invocations only. Failed batches go to the mapping\'s on-failure destination (the DeadLetterQueue beside it)',
  });
  return { function: fn, deadLetterQueue, ...(streamConsumer ? { streamConsumer } : {}) };
}
