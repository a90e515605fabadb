import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { DELIVERY_KEYS } from '../../adapters/dynamodb/deliveryKeys';
import { type TableStorageProps, tableProtection } from './tableProtection';

export type DeliveryTableProps = TableStorageProps;

/**
 * What effectively-once needs beyond the windows' own marks: the log of
 * completed batch ranges per shard, which the DLQ redrive consults. String
 * partition and sort keys; TTL-expired. Point-in-time recovery: the redrive
 * trusts this log to skip what was applied, so a lost or damaged log would
 * make a redrive count batches twice.
 */
export class DeliveryTable extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: DeliveryTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: DELIVERY_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: DELIVERY_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: DELIVERY_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableProtection(props),
    });
  }
}
