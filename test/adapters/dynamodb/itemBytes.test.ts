import { describe, expect, it } from 'vitest';
import { attributeBytes, itemBytes } from '../../../adapters/dynamodb/itemBytes';
import { isItemTooLargeError, shouldCompact, WINDOW_ITEM_BUDGET } from '../../../adapters/dynamodb/windowItemBudget';

describe('Function: itemBytes, DynamoDB item size rules', () => {
  it('counts a string attribute as its name and value in UTF-8 bytes', () => {
    expect(itemBytes({ group: 'eu-west', città: 'Zürich' })).toBe(5 + 7 + 6 + 7);
  });

  it('counts binary as its length, whatever its bytes', () => {
    expect(attributeBytes('state', new Uint8Array(16_384))).toBe(5 + 16_384);
  });

  it('counts a number as one byte per two significant digits plus one, leading and trailing zeros trimmed', () => {
    expect([attributeBytes('n', 7), attributeBytes('n', 1_767_268_800_000), attributeBytes('n', 0.0025), attributeBytes('n', -123.45), attributeBytes('n', 0)]).toEqual([
      1 + 2, // 1 digit
      1 + 5, // 1767268800000 → 17672688: 8 digits
      1 + 2, // 25: 2 digits
      1 + 4, // 12345: 5 digits
      1 + 2,
    ]);
  });

  it('counts a map or list as 3 bytes, 1 per element, its keys and its elements', () => {
    const slot = { shard: 'shardId-000000000007', version: 12, src: { applied: { 'shardId-000000000007': '4961' }, frozen: {}, redriven: {} } };
    const src = 3 + (1 + 7 + (3 + 1 + 20 + 4)) + (1 + 6 + 3) + (1 + 8 + 3);
    expect(attributeBytes('p7', slot)).toBe(2 + 3 + (1 + 5 + 20) + (1 + 7 + 2) + (1 + 3 + src));
    expect(attributeBytes('list', [true, null, 'ab'])).toBe(4 + 3 + (1 + 1) + (1 + 1) + (1 + 2));
  });

  it('leaves out attributes and map entries that are undefined (the document client does not store them)', () => {
    expect(itemBytes({ a: 'x', b: undefined, c: { d: undefined } })).toBe(1 + 1 + (1 + 3));
  });
});

describe('Function: shouldCompact, the window item budget', () => {
  it('compacts above 300 KB, under DynamoDB limit of 400 KB', () => {
    expect(WINDOW_ITEM_BUDGET).toEqual({ limitBytes: 409_600, compactAboveBytes: 307_200 });
    expect([shouldCompact(307_200), shouldCompact(307_201), shouldCompact(20_000)]).toEqual([false, true, false]);
  });
});

describe('Function: isItemTooLargeError', () => {
  const validation = (message: string) => Object.assign(new Error(message), { name: 'ValidationException' });

  it('recognises the size refusals of UpdateItem and PutItem, and no other validation error', () => {
    expect([
      isItemTooLargeError(validation('Item size to update has exceeded the maximum allowed size')),
      isItemTooLargeError(validation('Item size has exceeded the maximum allowed size')),
      isItemTooLargeError(validation('One or more parameter values were invalid: Type mismatch')),
      isItemTooLargeError(new Error('Item size has exceeded the maximum allowed size')),
    ]).toEqual([true, true, false, false]);
  });
});
