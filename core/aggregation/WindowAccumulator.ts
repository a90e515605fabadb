import type { EventEnvelope } from '../envelope/EventEnvelope';
import { SketchDecodeError } from '../errors';
import type { EventPredicate } from '../metrics/compileConditions';
import type { CompiledAggregation } from '../metrics/compileMetric';
import { readField, type CompiledPath } from '../metrics/readField';
import type { AggregateValue } from './AggregateValue';
import type { EncodedState } from './EncodedState';
import { quantileLabel } from './quantileLabel';
import { DDSketch } from './sketches/DDSketch';
import { HyperLogLog } from './sketches/HyperLogLog';

/** Per aggregation, what add() switches on: a small integer, not the kind's string. */
const KIND_CODES = { count: 0, countIf: 1, ratio: 2, distinct: 3, quantiles: 4, avg: 5, sum: 6, min: 7, max: 8 } as const satisfies Record<CompiledAggregation['kind'], number>;

/** The distinct fields a metric's aggregations read, shared by all its accumulators. */
interface Layout {
  readonly fields: readonly CompiledPath[];
  /** Per aggregation, the index of its field in `fields` (-1: it reads none). */
  readonly fieldOf: Int32Array;
  /** Per aggregation, its KIND_CODES entry. */
  readonly codes: Uint8Array;
  /** Scratch for one event's values: accumulators add one event at a time, never re-entrantly. */
  readonly values: unknown[];
}

/** Layouts by aggregation list: a metric's accumulators (thousands per batch) all share its compiled list. */
const layouts = new WeakMap<readonly CompiledAggregation[], Layout>();

function layoutOf(aggregations: readonly CompiledAggregation[]): Layout {
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
  const codes = Uint8Array.from(aggregations, (aggregation) => KIND_CODES[aggregation.kind]);
  layout = { fields, fieldOf, codes, values: new Array<unknown>(fields.length).fill(undefined) };
  layouts.set(aggregations, layout);
  return layout;
}

/** Whether a kind keeps a numerator and a denominator (the two slots of its `numbers`). */
function isPair(kind: CompiledAggregation['kind']): boolean {
  return kind === 'avg' || kind === 'ratio';
}

/**
 * The mergeable state of one window: an event count plus one state per
 * aggregation. Every state merges associatively and commutatively, which is
 * what lets batches, shards and sessions combine in any order.
 *
 * Numeric states live unboxed in one Float64Array, two slots per aggregation
 * (a count, sum, min or max in the first; a mean's or ratio's numerator and
 * denominator in both): in a plain array every new sum was a heap number,
 * one allocation per event. An empty min or max is NaN, which no finite input
 * can produce. Sketches sit in their own array.
 */
export class WindowAccumulator {
  public eventCount = 0;
  private readonly numbers: Float64Array;
  private readonly sketches: (HyperLogLog | DDSketch | undefined)[];
  private readonly layout: Layout;

  public constructor(private readonly aggregations: readonly CompiledAggregation[]) {
    this.layout = layoutOf(aggregations);
    this.numbers = new Float64Array(2 * aggregations.length);
    this.sketches = new Array<HyperLogLog | DDSketch | undefined>(aggregations.length).fill(undefined);
    for (let i = 0; i < aggregations.length; i++) {
      const kind = aggregations[i]!.kind;
      if (kind === 'min' || kind === 'max') this.numbers[2 * i] = Number.NaN;
      else if (kind === 'distinct') this.sketches[i] = new HyperLogLog();
      else if (kind === 'quantiles') this.sketches[i] = new DDSketch();
    }
  }

  /** Counts one event in. */
  public add(event: EventEnvelope): void {
    this.eventCount += 1;
    const { aggregations, numbers } = this;
    const { fields, fieldOf, codes, values } = this.layout;
    // Each distinct field once per event: the example metric reads data.amount for four aggregations.
    for (let f = 0; f < fields.length; f++) values[f] = readField(event, fields[f]!);
    for (let i = 0; i < codes.length; i++) {
      const slot = 2 * i;
      switch (codes[i]) {
        case KIND_CODES.count:
          numbers[slot] = numbers[slot]! + 1;
          break;
        case KIND_CODES.countIf:
          if ((aggregations[i] as { where: EventPredicate }).where(event)) numbers[slot] = numbers[slot]! + 1;
          break;
        case KIND_CODES.ratio:
          numbers[slot + 1] = numbers[slot + 1]! + 1;
          if ((aggregations[i] as { where: EventPredicate }).where(event)) numbers[slot] = numbers[slot]! + 1;
          break;
        case KIND_CODES.distinct: {
          const value = values[fieldOf[i]!];
          if (value !== undefined && value !== null) addDistinct(this.sketches[i] as HyperLogLog, value);
          break;
        }
        case KIND_CODES.quantiles: {
          const value = values[fieldOf[i]!];
          if (typeof value === 'number' && Number.isFinite(value)) (this.sketches[i] as DDSketch).add(value);
          break;
        }
        case KIND_CODES.avg: {
          const value = values[fieldOf[i]!];
          if (typeof value !== 'number' || !Number.isFinite(value)) break;
          numbers[slot] = numbers[slot]! + value;
          numbers[slot + 1] = numbers[slot + 1]! + 1;
          break;
        }
        case KIND_CODES.sum: {
          const value = values[fieldOf[i]!];
          if (typeof value === 'number' && Number.isFinite(value)) numbers[slot] = numbers[slot]! + value;
          break;
        }
        case KIND_CODES.min: {
          const value = values[fieldOf[i]!];
          if (typeof value !== 'number' || !Number.isFinite(value)) break;
          const current = numbers[slot]!;
          // NaN (empty) compares false: test it first.
          if (Number.isNaN(current) || value < current) numbers[slot] = value;
          break;
        }
        case KIND_CODES.max: {
          const value = values[fieldOf[i]!];
          if (typeof value !== 'number' || !Number.isFinite(value)) break;
          const current = numbers[slot]!;
          if (Number.isNaN(current) || value > current) numbers[slot] = value;
          break;
        }
      }
    }
  }

  /** Folds another accumulator of the same metric in. */
  public merge(other: WindowAccumulator): void {
    this.eventCount += other.eventCount;
    const { numbers } = this;
    for (let i = 0; i < this.aggregations.length; i++) {
      const slot = 2 * i;
      const theirs = other.numbers[slot]!;
      switch (this.aggregations[i]!.kind) {
        case 'count':
        case 'countIf':
        case 'sum':
          numbers[slot] = numbers[slot]! + theirs;
          break;
        case 'avg':
        case 'ratio':
          numbers[slot] = numbers[slot]! + theirs;
          numbers[slot + 1] = numbers[slot + 1]! + other.numbers[slot + 1]!;
          break;
        case 'min':
        case 'max': {
          if (Number.isNaN(theirs)) break;
          const mine = numbers[slot]!;
          if (Number.isNaN(mine)) numbers[slot] = theirs;
          else numbers[slot] = this.aggregations[i]!.kind === 'min' ? Math.min(mine, theirs) : Math.max(mine, theirs);
          break;
        }
        case 'distinct':
          (this.sketches[i] as HyperLogLog).merge(other.sketches[i] as HyperLogLog);
          break;
        case 'quantiles':
          (this.sketches[i] as DDSketch).merge(other.sketches[i] as DDSketch);
          break;
      }
    }
  }

  /** The results, by aggregation name. */
  public results(): Record<string, AggregateValue> {
    const results: Record<string, AggregateValue> = {};
    this.aggregations.forEach((aggregation, i) => {
      const value = this.numbers[2 * i]!;
      switch (aggregation.kind) {
        case 'avg':
        case 'ratio': {
          const d = this.numbers[2 * i + 1]!;
          results[aggregation.name] = d === 0 ? null : value / d;
          break;
        }
        case 'distinct':
          results[aggregation.name] = (this.sketches[i] as HyperLogLog).estimate();
          break;
        case 'quantiles': {
          const sketch = this.sketches[i] as DDSketch;
          const quantiles: Record<string, number | null> = {};
          for (const q of aggregation.quantiles) quantiles[quantileLabel(q)] = sketch.quantile(q) ?? null;
          results[aggregation.name] = quantiles;
          break;
        }
        case 'min':
        case 'max':
          results[aggregation.name] = Number.isNaN(value) ? null : value;
          break;
        default:
          results[aggregation.name] = value;
      }
    });
    return results;
  }

  /** The states for storage, by aggregation name; empty min/max are left out. */
  public encode(): Record<string, EncodedState> {
    const encoded: Record<string, EncodedState> = {};
    this.aggregations.forEach((aggregation, i) => {
      const value = this.numbers[2 * i]!;
      const sketch = this.sketches[i];
      if (sketch !== undefined) encoded[aggregation.name] = sketch.encode();
      else if (isPair(aggregation.kind)) encoded[aggregation.name] = { n: value, d: this.numbers[2 * i + 1]! };
      else if (!((aggregation.kind === 'min' || aggregation.kind === 'max') && Number.isNaN(value))) encoded[aggregation.name] = value;
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
      if (aggregation.kind === 'distinct') accumulator.sketches[i] = HyperLogLog.decode(stored as Uint8Array);
      else if (aggregation.kind === 'quantiles') accumulator.sketches[i] = DDSketch.decode(stored as Uint8Array);
      else if (isPair(aggregation.kind)) {
        if (typeof stored !== 'object' || stored instanceof Uint8Array) throw new SketchDecodeError(`${aggregation.name}: the ${aggregation.kind} state is a pair, not ${typeof stored}`);
        accumulator.numbers[2 * i] = stored.n;
        accumulator.numbers[2 * i + 1] = stored.d;
      } else {
        if (typeof stored !== 'number') throw new SketchDecodeError(`${aggregation.name}: the ${aggregation.kind} state is a number, not ${stored instanceof Uint8Array ? 'bytes' : typeof stored}`);
        accumulator.numbers[2 * i] = stored;
      }
    });
    return accumulator;
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
