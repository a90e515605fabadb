import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { EVENT_KEYS } from '../../adapters/dynamodb/eventKeys';
import { type TableStorageProps, tableProtection } from './tableProtection';

export type EventsTableProps = TableStorageProps;

/**
 * The raw event archive (time series): partition per event key, sort by time
 * and id; a `by-type` index over hourly buckets × 4 suffixes per type (see
 * adapters/dynamodb/eventKeys.ts). On-demand, TTL, point-in-time recovery.
 */
export class EventsTable extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: EventsTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: EVENT_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: EVENT_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: EVENT_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableProtection(props),
    });
    this.table.addGlobalSecondaryIndex({
      indexName: EVENT_KEYS.typeIndex,
      partitionKey: { name: EVENT_KEYS.typePartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: EVENT_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
