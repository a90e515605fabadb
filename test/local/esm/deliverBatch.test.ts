import { describe, expect, it } from 'vitest';
import type { InvokeResult } from '../../../local/esm/InvokeResult';
import { deliverBatch, firstFailedIndex, type BatchDeliveryDeps } from '../../../local/esm/deliverBatch';
import type { EsmSettings } from '../../../local/esm/EsmSettings';
import type { DiscardCondition } from '../../../local/esm/OnFailureRecord';
import type { StreamRecord } from '../../../local/esm/StreamRecord';

const NOW = 1_000_000_000;
const records = (count: number, arrivalMs = NOW): StreamRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    shardId: 'shardId-000000000000',
    sequenceNumber: String(100 + i),
    partitionKey: 'k',
    data: new Uint8Array([i]),
    approximateArrivalMs: arrivalMs,
  }));
const settings = (overrides: Partial<EsmSettings> = {}): EsmSettings => ({
  functionArn: 'arn:fn',
  streamArn: 'arn:stream',
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: 2,
  maximumRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
  retryBaseDelayMs: 0,
  ...overrides,
});

/** A harness that records what the contract does; `respond` plays the function. */
function harness(respond: (sequenceNumbers: string[], call: number) => InvokeResult) {
  const invocations: string[][] = [];
  const finished: string[] = [];
  const discarded: { sequenceNumbers: string[]; condition: DiscardCondition; invokeCount: number }[] = [];
  const deps: BatchDeliveryDeps = {
    invoke: async (event) => {
      const batch = (event as StreamRecord[]).map((record) => record.sequenceNumber);
      invocations.push(batch);
      return respond(batch, invocations.length);
    },
    toEvent: (batch) => batch,
    onFinished: async (last) => {
      finished.push(last.sequenceNumber);
    },
    discard: async (batch, condition, invokeCount) => {
      discarded.push({ sequenceNumbers: batch.map((record) => record.sequenceNumber), condition, invokeCount });
    },
    sleep: async () => undefined,
    now: () => NOW,
  };
  return { deps, invocations, finished, discarded };
}
const success = (payload: unknown = null): InvokeResult => ({ ok: true, payload, durationMs: 1 });
const functionError: InvokeResult = { ok: false, errorType: 'Error', errorMessage: 'boom', durationMs: 1 };
const failing = (...ids: string[]): InvokeResult => success({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });

describe('Function: deliverBatch', () => {
  it('finishes the whole batch on success', async () => {
    const h = harness(() => success({ batchItemFailures: [] }));
    const stats = await deliverBatch(records(3), settings(), h.deps);
    expect(h.invocations).toEqual([['100', '101', '102']]);
    expect(h.finished).toEqual(['102']);
    expect(stats.processedRecords).toBe(3);
  });

  it('retries from the lowest failed sequence number of a partial batch response', async () => {
    // Prepare: 103 and 101 fail once; the lowest (101) is where the retry starts.
    const h = harness((_, call) => (call === 1 ? failing('103', '101') : success()));

    // Act
    await deliverBatch(records(5), settings(), h.deps);

    // Assess
    expect(h.invocations).toEqual([
      ['100', '101', '102', '103', '104'],
      ['101', '102', '103', '104'],
    ]);
    expect(h.finished).toEqual(['100', '104']);
  });

  it('fails the whole batch on a missing, empty or unknown item identifier', async () => {
    for (const payload of [{ batchItemFailures: [{}] }, { batchItemFailures: [{ itemIdentifier: '' }] }, { batchItemFailures: [{ itemIdentifier: '999' }] }]) {
      expect(firstFailedIndex(payload, records(3))).toBe(0);
    }
    expect(firstFailedIndex(null, records(3))).toBe(-1);
    expect(firstFailedIndex({ batchItemFailures: null }, records(3))).toBe(-1);
  });

  it('ignores the response when ReportBatchItemFailures is off', async () => {
    const h = harness(() => failing('100'));
    await deliverBatch(records(2), settings({ reportBatchItemFailures: false }), h.deps);
    expect(h.invocations).toHaveLength(1);
    expect(h.finished).toEqual(['101']);
  });

  it('bisects on a function error without using up retries, isolating the bad record', async () => {
    // Prepare: record 105 always makes the function throw; no retries at all are allowed.
    const h = harness((batch) => (batch.includes('105') ? functionError : success()));

    // Act
    const stats = await deliverBatch(records(8), settings({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }), h.deps);

    // Assess
    expect(h.invocations).toEqual([
      ['100', '101', '102', '103', '104', '105', '106', '107'],
      ['100', '101', '102', '103'],
      ['104', '105', '106', '107'],
      ['104', '105'],
      ['104'],
      ['105'],
      ['106', '107'],
    ]);
    expect(h.discarded).toEqual([{ sequenceNumbers: ['105'], condition: 'RetryAttemptsExhausted', invokeCount: 4 }]);
    expect(h.finished).toEqual(['103', '104', '105', '107']);
    expect(stats.bisections).toBe(3);
  });

  it('retries a function error MaximumRetryAttempts times, then discards the batch', async () => {
    const h = harness(() => functionError);
    await deliverBatch(records(2), settings({ maximumRetryAttempts: 2 }), h.deps);
    expect(h.invocations).toHaveLength(3);
    expect(h.discarded).toEqual([{ sequenceNumbers: ['100', '101'], condition: 'RetryAttemptsExhausted', invokeCount: 3 }]);
    expect(h.finished).toEqual(['101']);
  });

  it('counts failed partial responses as retries too', async () => {
    const h = harness(() => failing('101'));
    await deliverBatch(records(3), settings({ maximumRetryAttempts: 1 }), h.deps);
    expect(h.invocations).toEqual([
      ['100', '101', '102'],
      ['101', '102'],
    ]);
    expect(h.discarded).toEqual([{ sequenceNumbers: ['101', '102'], condition: 'RetryAttemptsExhausted', invokeCount: 2 }]);
    expect(h.finished).toEqual(['100', '102']);
  });

  it('discards records older than MaximumRecordAgeInSeconds before invoking', async () => {
    // Prepare: two records arrived 61 s ago, two just now.
    const old = records(2, NOW - 61_000);
    const fresh = records(4).slice(2);
    const h = harness(() => success());

    // Act
    await deliverBatch([...old, ...fresh], settings({ maximumRecordAgeSeconds: 60 }), h.deps);

    // Assess
    expect(h.discarded).toEqual([{ sequenceNumbers: ['100', '101'], condition: 'RecordAgeExceeded', invokeCount: 0 }]);
    expect(h.invocations).toEqual([['102', '103']]);
    expect(h.finished).toEqual(['101', '103']);
  });
});
