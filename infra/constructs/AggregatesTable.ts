import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { AGGREGATE_KEYS } from '../../adapters/dynamodb/aggregateKeys';
import { type TableStorageProps, tableProtection } from './tableProtection';

export type AggregatesTableProps = TableStorageProps;

/**
 * Time-series table of window aggregates: partition `<metric>#<group>`, sort
 * window start. On-demand, TTL, point-in-time recovery, a NEW_AND_OLD_IMAGES
 * stream for the change consumers, and a sparse index of the windows that
 * are not final yet. The watermarks live in the same table.
 */
export class AggregatesTable extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: AggregatesTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: AGGREGATE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: AGGREGATE_KEYS.sortKey, type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: AGGREGATE_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      ...tableProtection(props),
    });
    // Sparse: only windows not yet final carry the keys, so finalisation reads exactly the due ones.
    this.table.addGlobalSecondaryIndex({
      indexName: AGGREGATE_KEYS.pendingIndex,
      partitionKey: { name: AGGREGATE_KEYS.pendingPartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: AGGREGATE_KEYS.pendingSortKey, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }
}
