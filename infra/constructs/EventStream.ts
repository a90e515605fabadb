import { Duration, Validations } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EventStreamProps {
  readonly shardCount: number;
  readonly retentionHours: number;
  /** The stack's customer-managed key. @default the AWS-managed Kinesis key (alias/aws/kinesis) */
  readonly key?: kms.IKey;
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
      ...(props.key ? { encryption: kinesis.StreamEncryption.KMS, encryptionKey: props.key } : { encryption: kinesis.StreamEncryption.MANAGED }),
    });
    if (props.key) {
      Validations.of(this.stream).acknowledge({
        id: 'AwsSolutions-KDS3',
        reason: 'encryption.customerManagedKey asks for the stack key on purpose (key control and audit); its cost, a KMS request per data key the producers and consumers use, is accepted there',
      });
    }
  }
}
