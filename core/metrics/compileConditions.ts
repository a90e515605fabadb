import type { EventEnvelope } from '../envelope/EventEnvelope';
import type { Condition } from './MetricDefinition';
import { compilePath, readField } from './readField';

/** A compiled list of conditions: true when every condition holds. */
export type EventPredicate = (event: EventEnvelope) => boolean;

/** Always true: a filter without conditions. */
export const MATCH_ALL: EventPredicate = () => true;

/** Compiles validated conditions into one predicate; field paths are split once, here. */
export function compileConditions(conditions: readonly Condition[] | undefined): EventPredicate {
  if (!conditions || conditions.length === 0) return MATCH_ALL;
  const tests = conditions.map(compileCondition);
  return (event) => {
    for (const test of tests) if (!test(event)) return false;
    return true;
  };
}

function compileCondition(condition: Condition): EventPredicate {
  const path = compilePath(condition.field);
  if ('equals' in condition) {
    const expected = condition.equals;
    return (event) => readField(event, path) === expected;
  }
  if ('in' in condition) {
    const allowed = new Set<unknown>(condition.in);
    return (event) => allowed.has(readField(event, path));
  }
  if ('exists' in condition) {
    const wanted = condition.exists;
    return (event) => {
      const value = readField(event, path);
      return (value !== undefined && value !== null) === wanted;
    };
  }
  const { gt, gte, lt, lte } = condition.range;
  return (event) => {
    const value = readField(event, path);
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    return (gt === undefined || value > gt) && (gte === undefined || value >= gte) && (lt === undefined || value < lt) && (lte === undefined || value <= lte);
  };
}
