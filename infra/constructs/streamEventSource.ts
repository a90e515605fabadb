import { Duration } from 'aws-cdk-lib';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ResolvedConfig } from '../../shared/config/TributaryConfig';

/**
 * The event source mapping every stream consumer uses: partial batch
 * responses, bisect on error, bounded retries and record age, one poller per
 * shard (records of a shard in order), and an SQS on-failure destination.
 */
export function streamEventSource(stream: kinesis.IStream, settings: ResolvedConfig['aggregator'], onFailure: sqs.IQueue): KinesisEventSource {
  return new KinesisEventSource(stream, {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: settings.batchSize,
    maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
    bisectBatchOnError: true,
    retryAttempts: settings.maxRetryAttempts,
    maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
    reportBatchItemFailures: true,
    parallelizationFactor: 1,
    onFailure: new SqsDlq(onFailure),
  });
}
