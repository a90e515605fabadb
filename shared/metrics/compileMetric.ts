import { compilePath, type CompiledPath } from './readField';
import type { MetricDefinition } from './MetricDefinition';

/** One aggregation ready for the hot path. */
export type CompiledAggregation =
  | { readonly name: string; readonly kind: 'count' }
  | { readonly name: string; readonly kind: 'sum'; readonly field: CompiledPath };

/** A metric definition turned into what the hot path needs: sets and split paths. */
export interface CompiledMetric {
  readonly name: string;
  readonly types: ReadonlySet<string>;
  readonly groupBy: readonly CompiledPath[];
  readonly groupByFields: readonly string[];
  readonly windowSizeMs: number;
  readonly aggregations: readonly CompiledAggregation[];
}

/** Compiles a (validated) metric definition. */
export function compileMetric(definition: MetricDefinition): CompiledMetric {
  return {
    name: definition.name,
    types: new Set(definition.filter.types),
    groupBy: (definition.groupBy ?? []).map(compilePath),
    groupByFields: [...(definition.groupBy ?? [])],
    windowSizeMs: definition.window.sizeMs,
    aggregations: Object.entries(definition.aggregations).map(([name, spec]) =>
      spec.kind === 'sum' ? { name, kind: 'sum', field: compilePath(spec.field) } : { name, kind: 'count' },
    ),
  };
}
