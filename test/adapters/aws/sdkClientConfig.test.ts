import { describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../adapters/dynamodb/createDynamoDbClient';
import { createKinesisClient } from '../../../adapters/kinesis/createKinesisClient';
import { PolicyRetryStrategy } from '../../../adapters/aws/PolicyRetryStrategy';

describe('Function: sdkClientConfig', () => {
  it('gives the functions’ clients a logger with no info (so no request is filtered for a log line nobody writes) and the retry policy', async () => {
    for (const client of [createDynamoDbClient({ region: 'us-east-1' }), createKinesisClient()]) {
      const logger = client.config.logger as unknown as Record<string, unknown>;
      expect(logger.info).toBeUndefined();
      // The SDK calls these without checking they exist.
      for (const level of ['debug', 'warn', 'error']) expect(typeof logger[level]).toBe('function');
      expect(await client.config.retryStrategy()).toBeInstanceOf(PolicyRetryStrategy);
    }
  });
});
