// Frozen copy of core/aggregation at commit b7daeed (before issue 15's hot-path work), kept as the
// oracle that test/core/aggregation/accumulatorEquivalence.test.ts compares today's code against: stored
// states must stay byte-identical. Do not edit; do not import outside tests.
import type { EventEnvelope } from '../../../core/envelope/EventEnvelope';
import type { CompiledAggregation } from '../../../core/metrics/compileMetric';
import { readField, type CompiledPath } from '../../../core/metrics/readField';
import type { AggregateValue } from '../../../core/aggregation/AggregateValue';
import type { EncodedState } from '../../../core/aggregation/EncodedState';
import { quantileLabel } from '../../../core/aggregation/quantileLabel';
import { DDSketch } from './DDSketch';
import { HyperLogLog } from './HyperLogLog';

/** A pair kept for means and ratios: numerator and denominator. */
interface Pair {
  n: number;
  d: number;
}
type State = number | Pair | HyperLogLog | DDSketch | undefined;

/** The distinct fields a metric's aggregations read, shared by all its accumulators. */
interface FieldLayout {
  readonly fields: readonly CompiledPath[];
  /** Per aggregation, the index of its field in `fields` (-1: it reads none). */
  readonly fieldOf: Int32Array;
  /** Scratch for one event's values: accumulators add one event at a time, never re-entrantly. */
  readonly values: unknown[];
}

/** Layouts by aggregation list: a metric's accumulators (thousands per batch) all share its compiled list. */
const layouts = new WeakMap<readonly CompiledAggregation[], FieldLayout>();

function fieldLayoutOf(aggregations: readonly CompiledAggregation[]): FieldLayout {
  let layout = layouts.get(aggregations);
  if (layout) return layout;
  const fields: CompiledPath[] = [];
  const indexByPath = new Map<string, number>();
  const fieldOf = new Int32Array(aggregations.length).fill(-1);
  aggregations.forEach((aggregation, i) => {
    if (!('field' in aggregation)) return;
    const path = aggregation.field.join('.');
    let index = indexByPath.get(path);
    if (index === undefined) {
      index = fields.length;
      indexByPath.set(path, index);
      fields.push(aggregation.field);
    }
    fieldOf[i] = index;
  });
  layout = { fields, fieldOf, values: new Array<unknown>(fields.length).fill(undefined) };
  layouts.set(aggregations, layout);
  return layout;
}

/**
 * The mergeable state of one window: an event count plus one state per
 * aggregation. Every state merges associatively and commutatively, which is
 * what lets batches, shards and sessions combine in any order.
 */
export class WindowAccumulator {
  public eventCount = 0;
  private readonly states: State[];
  private readonly layout: FieldLayout;

  public constructor(private readonly aggregations: readonly CompiledAggregation[]) {
    this.states = aggregations.map(initialState);
    this.layout = fieldLayoutOf(aggregations);
  }

  /** Counts one event in. */
  public add(event: EventEnvelope): void {
    this.eventCount += 1;
    const { aggregations, states } = this;
    const { fields, fieldOf, values } = this.layout;
    // Each distinct field once per event: the example metric reads data.amount for four aggregations.
    for (let f = 0; f < fields.length; f++) values[f] = readField(event, fields[f]!);
    for (let i = 0; i < aggregations.length; i++) {
      const aggregation = aggregations[i]!;
      switch (aggregation.kind) {
        case 'count':
          states[i] = (states[i] as number) + 1;
          break;
        case 'countIf':
          if (aggregation.where(event)) states[i] = (states[i] as number) + 1;
          break;
        case 'ratio': {
          const pair = states[i] as Pair;
          pair.d += 1;
          if (aggregation.where(event)) pair.n += 1;
          break;
        }
        case 'distinct': {
          const value = values[fieldOf[i]!];
          if (value !== undefined && value !== null) addDistinct(states[i] as HyperLogLog, value);
          break;
        }
        case 'quantiles': {
          const value = values[fieldOf[i]!];
          if (typeof value === 'number' && Number.isFinite(value)) (states[i] as DDSketch).add(value);
          break;
        }
        case 'avg': {
          const value = values[fieldOf[i]!];
          if (typeof value !== 'number' || !Number.isFinite(value)) break;
          const pair = states[i] as Pair;
          pair.n += value;
          pair.d += 1;
          break;
        }
        case 'sum': {
          const value = values[fieldOf[i]!];
          if (typeof value === 'number' && Number.isFinite(value)) states[i] = (states[i] as number) + value;
          break;
        }
        case 'min':
        case 'max': {
          const value = values[fieldOf[i]!];
          if (typeof value !== 'number' || !Number.isFinite(value)) break;
          const current = states[i] as number | undefined;
          if (current === undefined || (aggregation.kind === 'min' ? value < current : value > current)) states[i] = value;
          break;
        }
      }
    }
  }

  /** Folds another accumulator of the same metric in. */
  public merge(other: WindowAccumulator): void {
    this.eventCount += other.eventCount;
    for (let i = 0; i < this.aggregations.length; i++) {
      this.states[i] = mergeState(this.aggregations[i]!.kind, this.states[i], other.states[i]);
    }
  }

  /** The results, by aggregation name. */
  public results(): Record<string, AggregateValue> {
    const results: Record<string, AggregateValue> = {};
    this.aggregations.forEach((aggregation, i) => {
      const state = this.states[i];
      switch (aggregation.kind) {
        case 'avg':
        case 'ratio': {
          const pair = state as Pair;
          results[aggregation.name] = pair.d === 0 ? null : pair.n / pair.d;
          break;
        }
        case 'distinct':
          results[aggregation.name] = (state as HyperLogLog).estimate();
          break;
        case 'quantiles': {
          const sketch = state as DDSketch;
          const quantiles: Record<string, number | null> = {};
          for (const q of aggregation.quantiles) quantiles[quantileLabel(q)] = sketch.quantile(q) ?? null;
          results[aggregation.name] = quantiles;
          break;
        }
        default:
          results[aggregation.name] = state === undefined ? null : (state as number);
      }
    });
    return results;
  }

  /** The states for storage, by aggregation name; empty min/max are left out. */
  public encode(): Record<string, EncodedState> {
    const encoded: Record<string, EncodedState> = {};
    this.aggregations.forEach((aggregation, i) => {
      const state = this.states[i];
      if (state === undefined) return;
      if (state instanceof HyperLogLog || state instanceof DDSketch) encoded[aggregation.name] = state.encode();
      else encoded[aggregation.name] = typeof state === 'number' ? state : { n: state.n, d: state.d };
    });
    return encoded;
  }

  /** Rebuilds an accumulator from encode's output; aggregations added to the metric since start empty. */
  public static decode(aggregations: readonly CompiledAggregation[], eventCount: number, encoded: Readonly<Record<string, EncodedState>>): WindowAccumulator {
    const accumulator = new WindowAccumulator(aggregations);
    accumulator.eventCount = eventCount;
    aggregations.forEach((aggregation, i) => {
      const stored = encoded[aggregation.name];
      if (stored === undefined) return;
      if (aggregation.kind === 'distinct') accumulator.states[i] = HyperLogLog.decode(stored as Uint8Array);
      else if (aggregation.kind === 'quantiles') accumulator.states[i] = DDSketch.decode(stored as Uint8Array);
      else if (typeof stored === 'object' && !(stored instanceof Uint8Array)) accumulator.states[i] = { n: stored.n, d: stored.d };
      else accumulator.states[i] = stored as number;
    });
    return accumulator;
  }
}

function initialState(aggregation: CompiledAggregation): State {
  switch (aggregation.kind) {
    case 'count':
    case 'countIf':
    case 'sum':
      return 0;
    case 'avg':
    case 'ratio':
      return { n: 0, d: 0 };
    case 'distinct':
      return new HyperLogLog();
    case 'quantiles':
      return new DDSketch();
    default:
      return undefined; // min and max have no value until the first number
  }
}

function mergeState(kind: CompiledAggregation['kind'], mine: State, theirs: State): State {
  if (theirs === undefined) return mine;
  if (mine === undefined) return kind === 'min' || kind === 'max' ? theirs : mine;
  switch (kind) {
    case 'count':
    case 'countIf':
    case 'sum':
      return (mine as number) + (theirs as number);
    case 'min':
      return Math.min(mine as number, theirs as number);
    case 'max':
      return Math.max(mine as number, theirs as number);
    case 'avg':
    case 'ratio':
      (mine as Pair).n += (theirs as Pair).n;
      (mine as Pair).d += (theirs as Pair).d;
      return mine;
    case 'distinct':
      (mine as HyperLogLog).merge(theirs as HyperLogLog);
      return mine;
    case 'quantiles':
      (mine as DDSketch).merge(theirs as DDSketch);
      return mine;
  }
}

/** Seeds per kind of value, so `1`, `"1"` and `true`/`"true"` count as different values. */
const DISTINCT_SEEDS = { string: 0x9747b28c, number: 0x2f1e3d5c, boolean: 0x5bd1e995, object: 0x1b873593 } as const;

function addDistinct(sketch: HyperLogLog, value: unknown): void {
  if (typeof value === 'string') sketch.add(value, DISTINCT_SEEDS.string);
  else if (typeof value === 'number') sketch.add(String(value), DISTINCT_SEEDS.number);
  else if (typeof value === 'boolean') sketch.add(String(value), DISTINCT_SEEDS.boolean);
  else sketch.add(JSON.stringify(value), DISTINCT_SEEDS.object);
}
