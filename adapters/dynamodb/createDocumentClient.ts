import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient } from './createDynamoDbClient';
import { documentTranslationCopy } from './documentTranslation';

/**
 * The document client every Tributary function uses: binary sketches stay
 * Uint8Array, nulls stay null; by default over `createDynamoDbClient` (the
 * retry policy). A client passed in keeps its own retry settings.
 */
export function createDocumentClient(client: DynamoDBClient = createDynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, documentTranslationCopy());
}
