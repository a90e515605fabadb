import { DaxDocument } from '@amazon-dax-sdk/lib-dax';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient } from './createDynamoDbClient';
import { DOCUMENT_TRANSLATION } from './documentTranslation';
import type { DocumentReads } from './DocumentReads';

/**
 * Reads through DAX when `DAX_ENDPOINT` is set (the stack sets it when it has a
 * cluster), else straight from DynamoDB: offline, on LocalStack and in
 * deployments that leave DAX out.
 */
export function openDocumentReads(environment: NodeJS.ProcessEnv): DocumentReads {
  const endpoint = environment.DAX_ENDPOINT;
  if (endpoint) return new DaxDocument({ endpoint, region: environment.AWS_REGION });
  return DynamoDBDocument.from(createDynamoDbClient(), DOCUMENT_TRANSLATION);
}
