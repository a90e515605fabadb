import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { retryStats, type RetryStats } from '../aws/RetryStats';

/**
 * Makes a DynamoDB client treat a retried conditional PutItem that fails its
 * condition on exactly the item it put as the success it was.
 *
 * Timeline of the case (a lost response, then the policy's retry):
 *
 *     attempt 1: PutItem(item, attribute_not_exists) ──▶ written ──✗ answer lost
 *     attempt 2: PutItem(item, attribute_not_exists) ──▶ ConditionalCheckFailed, ALL_OLD = item
 *
 * Without this, the caller sees a lost race against itself. Powertools
 * idempotency would call its own INPROGRESS record "already in progress" and
 * fail the record until the invocation's deadline passed (the change
 * publisher then discarded it to its DLQ). The old item is only returned when
 * the request asks for it (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`,
 * as Powertools does); other conditional writes are left to their callers,
 * which re-read. Another writer's item that is equal attribute for attribute
 * (expiry timestamps in ms included) is taken for ours: the put it wanted
 * is in the table either way.
 */
export function recognizeLandedPuts(client: DynamoDBClient, stats: RetryStats = retryStats): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const input = args.input as { TableName?: string; Item?: unknown; ConditionExpression?: string };
        if (!isOwnLandedPut(input, error)) throw error;
        stats.recordLandedWrite(`PutItem ${input.TableName ?? ''}`);
        const failed = error as { $metadata: Record<string, unknown>; $response?: unknown };
        return { output: { $metadata: failed.$metadata }, response: failed.$response };
      }
    },
    // The build step runs after the document client marshalled the input and outside the retry loop, so it sees the final error.
    { step: 'build', name: 'tributaryRecognizeLandedPuts', priority: 'low' },
  );
}

function isOwnLandedPut(input: { Item?: unknown; ConditionExpression?: string }, error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') return false;
  const failed = error as { Item?: unknown; $metadata?: { attempts?: number } };
  // Only a retried request can have landed before: a first attempt that fails its condition lost a real race.
  if (!input.Item || !input.ConditionExpression || !failed.Item || (failed.$metadata?.attempts ?? 1) < 2) return false;
  return canonical(failed.Item) === canonical(input.Item);
}

/** An attribute value as text: map keys sorted, sets in order, binaries as base64. */
function canonical(value: unknown, setKind = false): string {
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('base64')}`;
  if (Array.isArray(value)) {
    const parts = value.map((item) => canonical(item));
    return `[${(setKind ? parts.sort() : parts).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item, key === 'SS' || key === 'NS' || key === 'BS')}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
