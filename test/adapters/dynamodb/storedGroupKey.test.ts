import { describe, expect, it } from 'vitest';
import { aggregatePartitionKey, storedGroupKey } from '../../../adapters/dynamodb/aggregateKeys';
import { groupKeyFor } from '../../../core/metrics/groupKeyFor';
import { compilePath } from '../../../core/metrics/readField';
import { envelopeFactory } from '../../support/factories';

describe('Function: storedGroupKey', () => {
  it('keeps a group of up to 1,024 UTF-8 bytes as it is', () => {
    expect(storedGroupKey('eu-west')).toBe('eu-west');
    expect(storedGroupKey('é'.repeat(512))).toBe('é'.repeat(512));
  });

  it('stores a longer group under a stable SHA-256 key that fits DynamoDB', () => {
    const long = 'r'.repeat(3_000);
    const key = storedGroupKey(long);
    expect(key).toMatch(/^~sha256:[A-Za-z0-9_-]{43}$/);
    expect(storedGroupKey(long)).toBe(key);
    expect(storedGroupKey(`${long}x`)).not.toBe(key);
    expect(Buffer.byteLength(aggregatePartitionKey('orders-per-region', 'é'.repeat(513)))).toBeLessThan(100);
  });

  it('hashes a real group that looks like a hashed key, so the two can never collide', () => {
    const hashed = storedGroupKey('r'.repeat(3_000));
    expect(storedGroupKey(hashed)).not.toBe(hashed);
    expect(storedGroupKey(hashed)).toMatch(/^~sha256:/);
  });
});

describe('Function: groupKeyFor', () => {
  it('replaces an unpaired surrogate, which no UTF-8 store can hold', () => {
    const event = envelopeFactory({ data: JSON.parse('{"region":"eu\\ud800"}') });
    expect(groupKeyFor(event, [compilePath('data.region')])).toBe('eu\ufffd');
  });
});
