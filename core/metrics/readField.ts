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
  // Most paths are `data.<name>` or an envelope field: a load of a known name, not a keyed walk.
  if (path.length === 2 && path[0] === 'data') {
    const data: unknown = envelope.data;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[path[1]!] : undefined;
  }
  let value: unknown = envelope;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
