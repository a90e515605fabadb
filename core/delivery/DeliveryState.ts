import { compareSequenceNumbers, maxSequenceNumber, type SequenceRange } from './sequenceNumbers';

/** How long an abandoned range is remembered: Kinesis's longest retention, after which its records cannot be redriven. */
export const ABANDONED_RANGE_RETENTION_MS = 365 * 86_400_000;

/**
 * A shard's delivery bookkeeping, kept on its progress item.
 *
 * Each live batch announces its range (`current`) before it touches any
 * window, and raises `completedThrough` when it finished. The ESM retries a
 * failed batch from the same first record (whole, or its first half when
 * bisecting); it starts beyond it only after giving up on those records (or
 * after a half completed). So a batch that starts past the first record of an
 * incomplete `current` proves the records in between were abandoned to the
 * DLQ: that range is recorded, and every later write freezes the item's marks
 * for it (`SourceMarks.frozen`), so a redrive still knows what each item holds.
 */
export interface DeliveryState {
  readonly current?: { readonly first: string; readonly last: string };
  readonly completedThrough?: string;
  /** Abandoned ranges by the sequence number they start after ("-1": from the start); `through` is inclusive. */
  readonly abandoned: Readonly<Record<string, AbandonedRange>>;
}

export interface AbandonedRange {
  readonly through: string;
  readonly foundAtMs: number;
}

export const NO_DELIVERY: DeliveryState = { abandoned: {} };

function isIncomplete(state: DeliveryState): boolean {
  return state.current !== undefined && (state.completedThrough === undefined || compareSequenceNumbers(state.completedThrough, state.current.last) < 0);
}

/** Where the records of an incomplete `current` start: after what completed, and never before its first record. */
function startAfter(state: DeliveryState): bigint {
  const beforeFirst = BigInt(state.current!.first) - 1n;
  const completed = state.completedThrough === undefined ? -1n : BigInt(state.completedThrough);
  return completed > beforeFirst ? completed : beforeFirst;
}

/** The incomplete part of the announced batch, which the next live batch will record as abandoned if it starts beyond it. */
export function pendingRange(state: DeliveryState): { after: string; through: string } | undefined {
  if (!isIncomplete(state)) return undefined;
  return { after: String(startAfter(state)), through: state.current!.last };
}

/** The state after `batch` announces itself (see the interface). */
export function beginBatch(state: DeliveryState, batch: SequenceRange, nowMs: number): DeliveryState {
  const abandoned: Record<string, AbandonedRange> = {};
  for (const [after, range] of Object.entries(state.abandoned)) {
    if (nowMs - range.foundAtMs < ABANDONED_RANGE_RETENTION_MS) abandoned[after] = range;
  }
  if (isIncomplete(state) && compareSequenceNumbers(batch.first, state.current!.first) > 0) {
    const after = startAfter(state);
    const through = BigInt(batch.first) - 1n;
    if (after < through) abandoned[String(after)] = { through: String(through), foundAtMs: nowMs };
  }
  return { ...state, current: { first: batch.first, last: batch.last }, abandoned };
}

/** The state after a batch applied every record up to `through`. */
export function completeBatch(state: DeliveryState, through: string): DeliveryState {
  return { ...state, completedThrough: maxSequenceNumber(state.completedThrough, through) };
}
