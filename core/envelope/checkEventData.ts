import type { FieldError } from './validateEvent';

/** What `data` may hold beyond "a JSON object": limits every consumer can store and aggregate. */
export const DATA_LIMITS = {
  /** Levels of nesting, `data` itself being the first. */
  maxDepth: 32,
  /**
   * Largest magnitude of a number. Aggregates are doubles stored as DynamoDB
   * numbers (at most 9.99e125): a bound far below that leaves room for sums of
   * billions of such values.
   */
  maxNumberMagnitude: 1e100,
  /** Smallest magnitude of a non-zero number (DynamoDB's own floor is 1e-130). */
  minNumberMagnitude: 1e-100,
  /** Problems reported per event before the rest are left out. */
  maxErrors: 5,
} as const;

/**
 * Checks a parsed `data` object against DATA_LIMITS, iteratively (no stack for
 * deep input), naming the path of each problem (`data.items[3].price`).
 * Integers beyond 2^53 are fine: they are aggregated as the nearest double and
 * stored as the producer wrote them.
 */
export function checkEventData(data: Record<string, unknown>, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: data, path: field, depth: 1 }];
  while (pending.length > 0 && errors.length < DATA_LIMITS.maxErrors) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'number') {
      const magnitude = Math.abs(value);
      if (!Number.isFinite(value)) errors.push({ field: path, message: 'is beyond the range of a double (about ±1.8e308)' });
      else if (magnitude > DATA_LIMITS.maxNumberMagnitude) errors.push({ field: path, message: `must be at most ${DATA_LIMITS.maxNumberMagnitude} in magnitude (got ${value})` });
      else if (magnitude !== 0 && magnitude < DATA_LIMITS.minNumberMagnitude) errors.push({ field: path, message: `must be 0 or at least ${DATA_LIMITS.minNumberMagnitude} in magnitude (got ${value})` });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > DATA_LIMITS.maxDepth) {
      errors.push({ field: path, message: `nests deeper than ${DATA_LIMITS.maxDepth} levels (counting data itself as 1)` });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      const names = Object.keys(value);
      for (let i = names.length - 1; i >= 0; i--) {
        const name = names[i]!;
        pending.push({ value: (value as Record<string, unknown>)[name], path: `${path}${memberPath(name)}`, depth: depth + 1 });
      }
    }
  }
  return errors;
}

/** `.name` for plain names, `["odd name"]` otherwise, so the field is unambiguous. */
function memberPath(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/.test(name) ? `.${name}` : `[${JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)}]`;
}
