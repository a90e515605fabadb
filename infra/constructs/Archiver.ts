import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedConfig } from '../../shared/config/TributaryConfig';
import { createTributaryFunction } from './createTributaryFunction';
import { streamEventSource } from './streamEventSource';

export interface ArchiverProps {
  readonly stream: kinesis.IStream;
  readonly eventsTable: dynamodb.ITable;
  readonly config: ResolvedConfig;
}

/**
 * The second stream consumer: every accepted event into the raw events table.
 * Its own mapping (own checkpoints, failures never block the aggregator) and
 * its own on-failure queue, so a redrive knows which consumer a message is for.
 */
export class Archiver extends Construct {
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;

  public constructor(scope: Construct, id: string, props: ArchiverProps) {
    super(scope, id);
    const settings = props.config.aggregator;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    this.function = createTributaryFunction(this, 'Function', {
      name: 'archive',
      memorySize: 256,
      timeout: Duration.seconds(settings.timeoutSeconds),
      environment: {
        EVENTS_TABLE: props.eventsTable.tableName,
        EVENT_RETENTION_DAYS: String(props.config.storage.eventRetentionDays),
      },
    });
    props.eventsTable.grantWriteData(this.function);
    this.function.addEventSource(streamEventSource(props.stream, settings, this.deadLetterQueue));
  }
}
