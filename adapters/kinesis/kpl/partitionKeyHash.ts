import { createHash } from 'node:crypto';

/** The largest hash key: Kinesis maps partition keys onto [0, 2^128 − 1]. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** Where Kinesis puts a partition key: the MD5 of its UTF-8 bytes as a big-endian 128-bit integer. */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}
