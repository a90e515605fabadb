import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import type { FunctionSettings } from '../../config/functionEnvironment';
import type { CountValueUpdated } from '../../core/changes/CountValueUpdated';
import { DynamoLateEventStore } from '../../adapters/dynamodb/DynamoLateEventStore';
import { changeRejection, isPermanentChangeFailure } from './changeRejection';
import { toCountValueUpdated } from './toCountValueUpdated';
import { waitOutCrashedLock } from '../../adapters/powertools/waitOutCrashedLock';

/** The clients the publisher sends through. */
export interface ChangePublisherClients {
  readonly sns: SNSClient;
  /** Powertools writes its idempotency records through the plain client. */
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
}

/** What the caller hears of (the handler turns these into logs and metrics). */
export interface ChangePublisherHooks {
  readonly onPublished?: () => void;
  readonly onRejected?: (record: DynamoDBRecord, error: unknown) => void;
}

/** What became of one change record. */
export type ChangeOutcome = 'published' | 'bookkeeping' | 'rejected';

/** Publishes the changes of the aggregates table's stream, each once. */
export interface ChangePublisher {
  /** Each invocation (or redrive) registers a context: a lock it leaves behind by crashing expires with that context's deadline. */
  registerContext(context: Pick<Context, 'getRemainingTimeInMillis'>): void;
  /**
   * Publishes `record`'s change, at most once per stream sequence number (an
   * already-published change is not sent again). A change no retry can
   * publish goes to the rejected-records output; any other failure throws, so
   * the caller retries from this record.
   */
  publishRecord(record: DynamoDBRecord, remainingMs: () => number, nowMs?: number): Promise<ChangeOutcome>;
}

/**
 * The one place the change publisher is wired: the SNS publish behind
 * Powertools idempotency, and the rejected-records output. The handler and
 * `tributary redrive --queue changes` both assemble it here, so a redriven
 * change goes through the same code and the same idempotency records.
 */
export function createChangePublisher(settings: FunctionSettings<'changes'>, clients: ChangePublisherClients, hooks: ChangePublisherHooks = {}): ChangePublisher {
  const rejects = new DynamoLateEventStore(settings.lateEventsTable, settings.lateEventRetentionDays, clients.documents);
  // One record per published change, keyed on its stream sequence number: a redelivered change is not published twice.
  // Bookkeeping changes (watermarks, progress, versions) publish nothing and cost no record.
  // 24 h: as long as DynamoDB Streams keeps the change, so a redrive within the stream's retention finds it.
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'changeId', expiresAfterSeconds: 86_400 });
  const publishOnce = makeIdempotent(
    async (event: CountValueUpdated): Promise<{ published: true }> => {
      await clients.sns.send(
        new PublishCommand({
          TopicArn: settings.topicArn,
          Message: JSON.stringify(event),
          // Subscribers filter on these without parsing the body.
          MessageAttributes: {
            type: { DataType: 'String', StringValue: event.type },
            metric: { DataType: 'String', StringValue: event.metric },
            final: { DataType: 'String', StringValue: String(event.final) },
          },
        }),
      );
      hooks.onPublished?.();
      return { published: true } as const;
    },
    { persistenceStore: new DynamoDBPersistenceLayer({ tableName: settings.idempotencyTable, awsSdkV3Client: clients.dynamodb }), config: idempotency, keyPrefix: 'tributary.changes.record' },
  );
  return {
    registerContext: (context) => idempotency.registerLambdaContext(context as Context),
    publishRecord: async (record, remainingMs, nowMs = Date.now()) => {
      try {
        const change = toCountValueUpdated(record);
        if (!change) return 'bookkeeping';
        // A change a crashed invocation left INPROGRESS is waited out rather than discarded with the rest of the batch.
        await waitOutCrashedLock(() => publishOnce(change), remainingMs);
        return 'published';
      } catch (error) {
        if (!isPermanentChangeFailure(error)) throw error;
        // No retry can publish it: into the rejected-records output with the reason, and the shard moves on.
        await rejects.reject([changeRejection(record, error)], nowMs);
        hooks.onRejected?.(record, error);
        return 'rejected';
      }
    },
  };
}
