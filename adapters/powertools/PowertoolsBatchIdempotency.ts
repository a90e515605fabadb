import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import type { BatchIdempotency } from '../../core/ports/BatchIdempotency';
import type { SequenceRange } from '../../core/delivery/sequenceNumbers';

/**
 * Idempotency records keyed on a batch's range, stable across deployments and
 * function names so the record of a range is found whoever asks.
 */
const KEY_PREFIX = 'tributary.aggregator.batch';

/**
 * Powertools idempotency on the batch, not on each record: one record per
 * delivered range (an INPROGRESS put, then the COMPLETED update: 2 writes per
 * batch, against ≥ 2 per event for record-level idempotency).
 *
 * `registerLambdaContext` bounds the INPROGRESS record by the invocation's
 * deadline, so a crashed invocation blocks its exact range only until its
 * timeout; the ESM's bisected halves are new ranges and go ahead at once.
 */
export class PowertoolsBatchIdempotency implements BatchIdempotency {
  private readonly config: IdempotencyConfig;
  private readonly idempotent: (range: SequenceRange, apply: () => Promise<void>) => Promise<{ readonly applied: true }>;

  /** @param retentionHours the stream's retention: how long a redelivery of a range can come. */
  public constructor(tableName: string, retentionHours: number, client: DynamoDBClient) {
    // A redelivery can come as long as the stream keeps the records.
    this.config = new IdempotencyConfig({ expiresAfterSeconds: retentionHours * 3600 + 3600, throwOnNoIdempotencyKey: true });
    const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
    this.idempotent = makeIdempotent(
      async (_range: SequenceRange, apply: () => Promise<void>) => {
        await apply();
        return { applied: true } as const;
      },
      { persistenceStore, config: this.config, keyPrefix: KEY_PREFIX },
    );
  }

  /** Call once per invocation: INPROGRESS records then expire with this invocation's deadline. */
  public registerLambdaContext(context: Context): void {
    this.config.registerLambdaContext(context);
  }

  public async runOnce(range: SequenceRange, apply: () => Promise<void>): Promise<boolean> {
    let ran = false;
    // Only the range is hashed (the first argument); the second is the work, run on a miss.
    await this.idempotent({ shardId: range.shardId, first: range.first, last: range.last }, async () => {
      ran = true;
      await apply();
    });
    return ran;
  }
}
