import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ALERT_STATE_KEYS } from '../../adapters/dynamodb/alertStateKeys';
import { type TableStorageProps, tableProtection } from './tableProtection';

export type AlertStateTableProps = TableStorageProps;

/**
 * One item per (metric, alert, group): whether the alert is raised, the
 * streak of breaching windows, the transitions not yet known published. Its
 * own table rather than the aggregates table, whose stream feeds the alert
 * function (a state write there would come back as a change), or the
 * delivery table, whose readers are the aggregator and the redrive.
 * Point-in-time recovery: a lost state would raise every open alert again.
 */
export class AlertStateTable extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: AlertStateTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: ALERT_STATE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: ALERT_STATE_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableProtection(props),
    });
  }
}
