import { compileConditions, type EventPredicate } from './compileConditions';
import { DEFAULT_QUANTILES, WATERMARK_DEFAULTS, type MetricDefinition, type WindowSpec } from './MetricDefinition';
import { compilePath, type CompiledPath } from './readField';

/** One aggregation ready for the hot path. */
export type CompiledAggregation =
  | { readonly name: string; readonly kind: 'count' }
  | { readonly name: string; readonly kind: 'sum' | 'min' | 'max' | 'avg'; readonly field: CompiledPath }
  | { readonly name: string; readonly kind: 'countIf' | 'ratio'; readonly where: EventPredicate }
  | { readonly name: string; readonly kind: 'distinct'; readonly field: CompiledPath }
  | { readonly name: string; readonly kind: 'quantiles'; readonly field: CompiledPath; readonly quantiles: readonly number[] };

/** A metric definition turned into what the hot path needs: sets, split paths, predicates, defaults applied. */
export interface CompiledMetric {
  readonly name: string;
  readonly types: ReadonlySet<string>;
  readonly where: EventPredicate;
  readonly groupBy: readonly CompiledPath[];
  readonly groupByFields: readonly string[];
  /** Path of the event time; `['time']` for the envelope's own. */
  readonly eventTime: CompiledPath;
  readonly window: WindowSpec;
  readonly maxDelayMs: number;
  readonly idleTimeoutMs: number;
  readonly allowedLatenessMs: number;
  /** How far ahead of its arrival an event time may be (WatermarkPolicy.maxFutureMs). */
  readonly maxFutureMs: number;
  /** Idle time after which the tick advances the watermark with processing time (WatermarkPolicy.advanceWhenIdleMs); undefined: off. */
  readonly advanceWhenIdleMs: number | undefined;
  readonly aggregations: readonly CompiledAggregation[];
}

/** Compiles a (validated) metric definition. */
export function compileMetric(definition: MetricDefinition): CompiledMetric {
  const watermark = { ...WATERMARK_DEFAULTS, ...definition.watermark };
  return {
    name: definition.name,
    types: new Set(definition.filter.types),
    where: compileConditions(definition.filter.where),
    groupBy: (definition.groupBy ?? []).map(compilePath),
    groupByFields: [...(definition.groupBy ?? [])],
    eventTime: (definition.eventTime ?? 'time').split('.'),
    window: definition.window,
    maxDelayMs: watermark.maxDelayMs,
    idleTimeoutMs: watermark.idleTimeoutMs,
    allowedLatenessMs: watermark.allowedLatenessMs,
    maxFutureMs: watermark.maxFutureMs,
    advanceWhenIdleMs: definition.watermark?.advanceWhenIdleMs,
    aggregations: Object.entries(definition.aggregations).map(([name, spec]): CompiledAggregation => {
      switch (spec.kind) {
        case 'count':
          return { name, kind: 'count' };
        case 'countIf':
        case 'ratio':
          return { name, kind: spec.kind, where: compileConditions(spec.where) };
        case 'quantiles':
          return { name, kind: 'quantiles', field: compilePath(spec.field), quantiles: spec.quantiles ?? DEFAULT_QUANTILES };
        default:
          return { name, kind: spec.kind, field: compilePath(spec.field) };
      }
    }),
  };
}
