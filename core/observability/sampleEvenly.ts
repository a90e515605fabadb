/**
 * At most `maxCount` of `values`, evenly spaced over their order (a systematic
 * sample): the first value, then every (length ÷ maxCount)-th. Deterministic, so a
 * redelivered batch reports the same sample, and O(maxCount) whatever the batch size.
 * A batch's records are in shard order, i.e. roughly arrival order, so the sample
 * spans the whole batch rather than its head.
 */
export function sampleEvenly<T>(values: readonly T[], maxCount: number): T[] {
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  if (values.length <= maxCount) return [...values];
  const sample: T[] = [];
  for (let i = 0; i < maxCount; i += 1) sample.push(values[Math.floor((i * values.length) / maxCount)]!);
  return sample;
}
