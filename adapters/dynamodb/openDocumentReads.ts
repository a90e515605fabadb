import { DaxDocument } from '@amazon-dax-sdk/lib-dax';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument, type BatchGetCommandInput, type GetCommandInput, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { RETRY_POLICY, markRetriesSpent } from '../../core/retry/retryPolicy';
import { createDynamoDbClient } from './createDynamoDbClient';
import { documentTranslationCopy } from './documentTranslation';
import type { DocumentReads } from './DocumentReads';

/** Where reads go: a DAX cluster's endpoint, if the stack has one. */
export interface DocumentReadsSettings {
  readonly daxEndpoint: string | undefined;
  readonly region: string | undefined;
}

/**
 * Reads through DAX when there is a cluster endpoint (the stack writes it when
 * it has a cluster), else straight from DynamoDB: offline, on LocalStack and in
 * deployments that leave DAX out. Straight from DynamoDB, every request follows
 * the retry policy (`createDynamoDbClient` installs `PolicyRetryStrategy`);
 * `dynamodb` is that client, passed in when the caller wraps it (tracing).
 */
export function openDocumentReads(settings: DocumentReadsSettings, dynamodb: DynamoDBClient = createDynamoDbClient()): DocumentReads {
  if (settings.daxEndpoint) return daxReads(new DaxDocument({ endpoint: settings.daxEndpoint, region: settings.region, readRetries: RETRY_POLICY.maxAttempts - 1 }));
  return DynamoDBDocument.from(dynamodb, documentTranslationCopy());
}

/**
 * DAX's reads, each error marked as retried already. DAX's client cannot take
 * the retry policy: it has no retryStrategy option and refuses middleware (its
 * middlewareStack throws), and its own retry loop does what ours cannot: it
 * moves to another node and waits for the cluster to recover. So it keeps that
 * loop, given the policy's attempts (it counts retries, the first attempt
 * excluded; its default is 1). Its waits differ: 70 ms × 2^n at half to full
 * jitter, for throttling only, at most 8.9 s over 7 retries, inside the
 * policy's 10 s budget. What it still throws has been retried, so an outer
 * `withRetries` (unprocessed keys) passes it on instead of retrying it again.
 */
function daxReads(dax: DaxDocument): DocumentReads {
  const retried = (error: unknown): never => {
    markRetriesSpent(error);
    throw error;
  };
  return {
    get: ((input: GetCommandInput) => dax.get(input).catch(retried)) as DocumentReads['get'],
    batchGet: ((input: BatchGetCommandInput) => dax.batchGet(input).catch(retried)) as DocumentReads['batchGet'],
    query: ((input: QueryCommandInput) => dax.query(input).catch(retried)) as DocumentReads['query'],
  };
}
