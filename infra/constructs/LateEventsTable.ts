import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LATE_EVENT_KEYS } from '../../adapters/dynamodb/lateEventKeys';
import { type TableStorageProps, tableProtection } from './tableProtection';

export type LateEventsTableProps = TableStorageProps;

/**
 * The late-event output: every event a metric could not count in all its
 * windows (too late, or no readable event time), with the reason, the windows
 * it missed, the watermark it met and the record it came from. Partition
 * `<metric>#<day>`, sort `<event time>#<id>`; TTL-expired.
 */
export class LateEventsTable extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: LateEventsTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: LATE_EVENT_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LATE_EVENT_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: LATE_EVENT_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableProtection(props),
    });
  }
}
