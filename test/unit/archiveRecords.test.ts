import { describe, expect, it } from 'vitest';
import { archiveRecords } from '../../functions/archive/archiveRecords';
import type { RejectedRecord } from '../../shared/storage/LateEventSink';
import { envelopeFactory, kinesisRecordFactory } from '../support/factories';

const NOW = Date.UTC(2026, 10, 22, 12, 0);

function recordingRejects() {
  const rejected: RejectedRecord[] = [];
  return { rejected, sink: { reject: async (records: readonly RejectedRecord[]) => void rejected.push(...records) } };
}

describe('Function: archiveRecords', () => {
  it('archives every event around a record that is not one, which goes to the rejected-records output with its data and reason', async () => {
    const written: string[] = [];
    const store = { putEvents: async (events: readonly { id: string }[]) => void written.push(...events.map((e) => e.id)) };
    const rejects = recordingRejects();

    const outcome = await archiveRecords(
      [kinesisRecordFactory('1', envelopeFactory({ id: 'a' })), kinesisRecordFactory('2', 'not json'), kinesisRecordFactory('3', envelopeFactory({ id: 'c' }))],
      store,
      rejects.sink,
      NOW,
    );

    expect(written).toEqual(['a', 'c']);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(rejects.rejected).toEqual([
      expect.objectContaining({ sequenceNumber: '2', dataBase64: Buffer.from('not json').toString('base64'), reason: expect.stringContaining('cannot be processed') }),
    ]);
  });

  it('fails the batch when the store fails, never swallowing it', async () => {
    const store = { putEvents: async () => Promise.reject(new Error('ProvisionedThroughputExceeded')) };
    await expect(archiveRecords([kinesisRecordFactory('1', envelopeFactory())], store, recordingRejects().sink, NOW)).rejects.toThrow('ProvisionedThroughputExceeded');
  });

  it('fails the batch when the rejected-records output fails, so the bad record is not lost', async () => {
    const store = { putEvents: async () => {} };
    const failing = { reject: async () => Promise.reject(new Error('ThrottlingException')) };
    await expect(archiveRecords([kinesisRecordFactory('2', 'not json')], store, failing, NOW)).rejects.toThrow('ThrottlingException');
  });
});
