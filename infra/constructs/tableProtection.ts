import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';

/** How a Tributary table is kept and encrypted; every table construct takes these. */
export interface TableStorageProps {
  /** storage.removalPolicy: `destroy` is for dev stacks. */
  readonly removalPolicy: 'retain' | 'destroy';
  /** The stack's customer-managed key (encryption.customerManagedKey). @default the AWS-managed DynamoDB key */
  readonly key?: kms.IKey;
}

/**
 * The removal, deletion-protection and encryption settings of a table.
 * Deletion protection follows the removal policy: a retained table also
 * refuses DeleteTable (a console click or a script cannot drop it), while a
 * dev stack with `removalPolicy: 'destroy'` must be able to delete its tables,
 * so it gets none.
 */
export function tableProtection(props: TableStorageProps): Pick<dynamodb.TableProps, 'removalPolicy' | 'deletionProtection' | 'encryption' | 'encryptionKey'> {
  const retain = props.removalPolicy !== 'destroy';
  return {
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection: retain,
    ...(props.key ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.key } : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
  };
}
