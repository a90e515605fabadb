import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The DynamoDB actions Tributary's code calls; a transaction is authorised by its items' actions (Put, Update, Delete). */
export type TableAction = 'DescribeTable' | 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** The actions that only read: a grant of nothing else needs only kms:Decrypt on a customer-managed table key. */
const READ_ACTIONS: ReadonlySet<TableAction> = new Set(['DescribeTable', 'GetItem', 'BatchGetItem', 'Query']);

/** Which of the table's global secondary indexes the grantee queries. */
export interface TableGrantOptions {
  /** Index names; each gets `dynamodb:Query` on `<table ARN>/index/<name>` and nothing else. @default none */
  readonly queriedIndexes?: readonly string[];
}

/**
 * Lets `grantee` call exactly `actions` on `table` (no `index/*`, no Scan,
 * no action the code does not send), and Query on the named indexes only.
 * With a customer-managed table key it adds what those actions need of the
 * key: Decrypt to read, Encrypt/GenerateDataKey as well to write.
 */
export function grantTableActions(grantee: iam.IGrantable, table: dynamodb.ITable, actions: readonly TableAction[], options: TableGrantOptions = {}): void {
  // No actions: a grantee that only queries indexes gets nothing on the table itself.
  if (actions.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: actions.map((action) => `dynamodb:${action}`), resources: [table.tableArn] }));
  }
  const indexes = options.queriedIndexes ?? [];
  if (indexes.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: indexes.map((index) => `${table.tableArn}/index/${index}`) }),
    );
  }
  if (!table.encryptionKey) return;
  if (actions.every((action) => READ_ACTIONS.has(action))) table.encryptionKey.grantDecrypt(grantee);
  else table.encryptionKey.grantEncryptDecrypt(grantee);
}
