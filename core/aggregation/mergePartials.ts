import type { CompiledAggregation } from '../metrics/compileMetric';
import type { AggregateValue } from './AggregateValue';
import type { EncodedState } from './EncodedState';
import { WindowAccumulator } from './WindowAccumulator';

/**
 * What a reader must know of a metric's aggregations to merge stored states:
 * their names, kinds and quantiles. A window item carries it, so readers that
 * have no metric definitions (the change publisher) merge a window's partials too.
 */
export interface StoredAggregation {
  readonly name: string;
  readonly kind: CompiledAggregation['kind'];
  readonly quantiles?: readonly number[];
}

/** A stored state with its event count: one shard's partial, or a window's merged content. */
export interface EncodedContent {
  readonly eventCount: number;
  readonly state: Readonly<Record<string, EncodedState>>;
}

/** The shape of a metric's aggregations, for the window items it writes. */
export function storedAggregationsOf(aggregations: readonly CompiledAggregation[]): StoredAggregation[] {
  return aggregations.map((a) => (a.kind === 'quantiles' ? { name: a.name, kind: a.kind, quantiles: [...a.quantiles] } : { name: a.name, kind: a.kind }));
}

/** Merges partial states (any order: every state merges associatively and commutatively) into one, with its results. */
export function mergePartials(
  aggregations: readonly StoredAggregation[],
  parts: readonly EncodedContent[],
): { eventCount: number; state: Record<string, EncodedState>; values: Record<string, AggregateValue> } {
  const compiled = mergeOnly(aggregations);
  const merged = new WindowAccumulator(compiled);
  for (const part of parts) merged.merge(WindowAccumulator.decode(compiled, part.eventCount, part.state));
  return { eventCount: merged.eventCount, state: merged.encode(), values: merged.results() };
}

const NO_FIELD: readonly string[] = [];
const NEVER = (): boolean => false;

/** Aggregations that decode, merge and report but never take an event: the read side has no fields or predicates. */
function mergeOnly(aggregations: readonly StoredAggregation[]): CompiledAggregation[] {
  return aggregations.map((a): CompiledAggregation => {
    switch (a.kind) {
      case 'count':
        return { name: a.name, kind: 'count' };
      case 'countIf':
      case 'ratio':
        return { name: a.name, kind: a.kind, where: NEVER };
      case 'quantiles':
        return { name: a.name, kind: 'quantiles', field: NO_FIELD, quantiles: a.quantiles ?? [] };
      default:
        return { name: a.name, kind: a.kind, field: NO_FIELD };
    }
  });
}
