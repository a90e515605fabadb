import type { EventEnvelope } from '../envelope/EventEnvelope';
import type { FieldPath } from './MetricDefinition';

/** A field path split once into its segments, so the hot path does no string work. */
export type CompiledPath = readonly string[];

/** Splits `data.geo.country` into `['data', 'geo', 'country']`. */
export function compilePath(path: FieldPath): CompiledPath {
  return path.split('.');
}

/** Reads a compiled path from an envelope; `undefined` when any segment is missing. */
export function readField(envelope: EventEnvelope, path: CompiledPath): unknown {
  let value: unknown = envelope;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
