import type { EventEnvelope } from '../envelope/EventEnvelope';
import { toWellFormed } from '../json/wellFormed';
import { readField, type CompiledPath } from './readField';

/** Group of an event whose group-by field is missing or not a scalar. */
export const MISSING_GROUP_VALUE = '(none)';
/** Group of a metric with no group-by fields. */
export const ALL_GROUP = '(all)';
/** Separates the values of several group-by fields: `eu-west|mobile`. */
export const GROUP_SEPARATOR = '|';

/** The group an event falls in: its group-by values joined, in declaration order. */
export function groupKeyFor(envelope: EventEnvelope, groupBy: readonly CompiledPath[]): string {
  if (groupBy.length === 0) return ALL_GROUP;
  let key = '';
  for (let i = 0; i < groupBy.length; i++) {
    const value = readField(envelope, groupBy[i]!);
    const text =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : MISSING_GROUP_VALUE;
    key = i === 0 ? text : key + GROUP_SEPARATOR + text;
  }
  // A group is stored (and published) as text; an unpaired surrogate from `"\ud800"` in data cannot be.
  return toWellFormed(key);
}
