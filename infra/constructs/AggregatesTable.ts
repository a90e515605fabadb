import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { AGGREGATE_KEYS, FINAL_INDEX_ATTRIBUTES } from '../../adapters/dynamodb/aggregateKeys';
import { type TableStorageProps, tableProtection } from './tableProtection';

export type AggregatesTableProps = TableStorageProps;

/**
 * Time-series table of window aggregates: partition `<metric>#<group>`, sort
 * window start. On-demand, TTL, point-in-time recovery, a NEW_AND_OLD_IMAGES
 * stream for the change consumers, a sparse index of the windows that
 * are not final yet and one of the final windows by when they became final. The watermarks live in the same table.
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
    // Sparse too: only final windows carry its partition key. The correctness audit lists the windows
    // finalised in the last minutes from it, reading the counts it compares and never the states.
    this.table.addGlobalSecondaryIndex({
      indexName: AGGREGATE_KEYS.finalIndex,
      partitionKey: { name: AGGREGATE_KEYS.finalPartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: AGGREGATE_KEYS.finalSortKey, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...FINAL_INDEX_ATTRIBUTES],
    });
  }
}
