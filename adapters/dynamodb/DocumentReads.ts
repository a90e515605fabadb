import type { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';

/**
 * The reads the query API makes, method-style: what both `DynamoDBDocument`
 * and DAX's `DaxDocument` offer (DAX has no `send(new XCommand())`).
 */
export type DocumentReads = Pick<DynamoDBDocument, 'get' | 'batchGet' | 'query'>;
