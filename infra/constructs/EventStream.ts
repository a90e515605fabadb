import { Duration } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';

export interface EventStreamProps {
  readonly shardCount: number;
  readonly retentionHours: number;
}

/** The Kinesis stream every accepted event lands on: provisioned shards, KMS-encrypted. */
export class EventStream extends Construct {
  public readonly stream: kinesis.Stream;

  public constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: kinesis.StreamMode.PROVISIONED,
      shardCount: props.shardCount,
      retentionPeriod: Duration.hours(props.retentionHours),
      encryption: kinesis.StreamEncryption.MANAGED,
    });
  }
}
