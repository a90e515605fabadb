import { DaxDocument } from '@amazon-dax-sdk/lib-dax';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient } from './createDynamoDbClient';
import { DOCUMENT_TRANSLATION } from './documentTranslation';
import type { DocumentReads } from './DocumentReads';

/** Where reads go: a DAX cluster's endpoint, if the stack has one. */
export interface DocumentReadsSettings {
  readonly daxEndpoint: string | undefined;
  readonly region: string | undefined;
}

/**
 * Reads through DAX when there is a cluster endpoint (the stack writes it when
 * it has a cluster), else straight from DynamoDB: offline, on LocalStack and in
 * deployments that leave DAX out.
 */
export function openDocumentReads(settings: DocumentReadsSettings): DocumentReads {
  if (settings.daxEndpoint) return new DaxDocument({ endpoint: settings.daxEndpoint, region: settings.region });
  return DynamoDBDocument.from(createDynamoDbClient(), DOCUMENT_TRANSLATION);
}
