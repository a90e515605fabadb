import { Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type TableStorageProps, tableProtection } from './tableProtection';

export type IdempotencyTableProps = TableStorageProps;

/**
 * Powertools idempotency's table, in the layout it expects by default:
 * partition `id` (string), TTL `expiration`. It holds one record per
 * delivered batch range of the aggregator and per published change. No
 * point-in-time recovery: it is a cache of in-flight work that expires with
 * the stream's retention, and the delivery table's completion log, not this
 * table, is what a repair trusts.
 */
export class IdempotencyTable extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: IdempotencyTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      ...tableProtection(props),
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Short-lived idempotency records of in-flight batches and changes (they expire with the stream retention); a restore would bring back stale INPROGRESS locks, and the repairs read the delivery table (which has point-in-time recovery), not this one',
    });
  }
}
