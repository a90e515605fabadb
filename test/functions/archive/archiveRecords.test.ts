import { describe, expect, it } from 'vitest';
import { archiveRecords } from '../../../functions/archive/archiveRecords';
import type { RejectedRecord } from '../../../core/ports/LateEventSink';
import { envelopeFactory, kinesisRecordFactory } from '../../support/factories';
import { encodeAggregatedRecord } from '../../../adapters/kinesis/kpl/AggregatedRecordBuilder';

const NOW = Date.UTC(2026, 10, 22, 12, 0);

function recordingRejects() {
  const rejected: RejectedRecord[] = [];
  return { rejected, sink: { reject: async (records: readonly RejectedRecord[]) => void rejected.push(...records) } };
}

describe('Function: archiveRecords', () => {
  it('archives every event around a record that is not one, which goes to the rejected-records output with its data and reason', async () => {
    const written: string[] = [];
    const store = { putEvents: async (events: readonly { id: string }[]) => (written.push(...events.map((e) => e.id)), []) };
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
    const store = { putEvents: async () => [] };
    const failing = { reject: async () => Promise.reject(new Error('ThrottlingException')) };
    await expect(archiveRecords([kinesisRecordFactory('2', 'not json')], store, failing, NOW)).rejects.toThrow('ThrottlingException');
  });

  it('sends an event larger than the store holds, and one the store refuses as invalid, to the rejected output, archiving the rest', async () => {
    // Prepare: only a producer writing to the stream directly can make a 300 KB event; the API refuses it.
    const written: string[] = [];
    const store = {
      putEvents: async (events: readonly { id: string }[], texts: readonly (string | undefined)[]) => {
        written.push(...events.map((e, i) => `${e.id}:${texts[i]?.length}`));
        return events.flatMap((event, index) => (event.id === 'refused' ? [{ index, reason: 'the raw events store refused it: ValidationException' }] : []));
      },
    };
    const rejects = recordingRejects();
    const big = envelopeFactory({ id: 'big', data: { blob: 'x'.repeat(300_000) } });
    const keptText = '{"id":"ok","type":"t","key":"k","time":1767268800000,"receivedAt":1767268800000,"data":{"ns":12345678901234567890}}';

    // Act
    const outcome = await archiveRecords(
      [kinesisRecordFactory('1', big), kinesisRecordFactory('2', keptText), kinesisRecordFactory('3', envelopeFactory({ id: 'refused' }))],
      store,
      rejects.sink,
      NOW,
    );

    // Assess: the kept event's text is stored as it came, digits and all.
    expect(written).toEqual([`ok:${keptText.length}`, expect.stringMatching(/^refused:\d+$/)]);
    expect(outcome.archived).toBe(1);
    expect(rejects.rejected.map((r) => [r.sequenceNumber, r.reason])).toEqual([
      ['1', expect.stringMatching(/^Record 1 cannot be archived: event is 300\d{3} bytes; the raw events store holds events of at most 262144 bytes$/)],
      ['3', 'Record 3 cannot be archived: the raw events store refused it: ValidationException'],
    ]);
  });

  it('inside a KPL aggregate, rejects only the user record the store cannot hold, by its index and with its own data', async () => {
    // Prepare: a foreign producer's 1 MiB aggregate may hold a 300 KB event beside ordinary ones.
    const written: string[] = [];
    const store = { putEvents: async (events: readonly { id: string }[]) => (written.push(...events.map((e) => e.id)), []) };
    const rejects = recordingRejects();
    const users = [envelopeFactory({ id: 'a' }), envelopeFactory({ id: 'big', data: { blob: 'x'.repeat(300_000) } }), envelopeFactory({ id: 'b' })];
    const aggregate = kinesisRecordFactory('9', 'placeholder');
    aggregate.kinesis.data = encodeAggregatedRecord(users.map((user) => ({ partitionKey: user.key, data: Buffer.from(JSON.stringify(user)) }))).toString('base64');

    // Act
    const outcome = await archiveRecords([aggregate], store, rejects.sink, NOW);

    // Assess
    expect(written).toEqual(['a', 'b']);
    expect(outcome.archived).toBe(2);
    expect(rejects.rejected.map((r) => [r.sequenceNumber, r.subSequence, r.reason, JSON.parse(Buffer.from(r.dataBase64, 'base64').toString()).id])).toEqual([
      ['9', 1, expect.stringMatching(/^Record 9 sub-record 1 cannot be archived: event is 300\d{3} bytes; the raw events store holds events of at most 262144 bytes$/), 'big'],
    ]);
  });

  it('rejects a foreign record whose key no store can hold', async () => {
    const rejects = recordingRejects();
    await archiveRecords([kinesisRecordFactory('1', envelopeFactory({ key: 'k'.repeat(3_000) }))], { putEvents: async () => [] }, rejects.sink, NOW);
    expect(rejects.rejected.map((r) => r.reason)).toEqual(['Record 1 cannot be processed: envelope key is not 1-256 characters']);
  });
});
