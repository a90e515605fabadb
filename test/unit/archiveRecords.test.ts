import { describe, expect, it } from 'vitest';
import { archiveRecords } from '../../functions/archive/archiveRecords';
import { PoisonRecordError } from '../../shared/errors';
import { envelopeFactory, kinesisRecordFactory } from '../support/factories';

describe('Function: archiveRecords', () => {
  it('writes the records before a poison record and reports the poison one', async () => {
    const written: string[] = [];
    const store = { putEvents: async (events: readonly { id: string }[]) => void written.push(...events.map((e) => e.id)) };

    const outcome = await archiveRecords(
      [kinesisRecordFactory('1', envelopeFactory({ id: 'a' })), kinesisRecordFactory('2', 'not json'), kinesisRecordFactory('3', envelopeFactory({ id: 'c' }))],
      store,
    );

    expect(written).toEqual(['a']);
    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
  });

  it('throws when the first record is poison, writing nothing, so the mapping bisects it out', async () => {
    let writes = 0;
    const store = { putEvents: async () => void (writes += 1) };
    await expect(archiveRecords([kinesisRecordFactory('9', 'not json')], store)).rejects.toThrow(PoisonRecordError);
    expect(writes).toBe(0);
  });

  it('fails the batch when the store fails, never swallowing it', async () => {
    const store = { putEvents: async () => Promise.reject(new Error('ProvisionedThroughputExceeded')) };
    await expect(archiveRecords([kinesisRecordFactory('1', envelopeFactory())], store)).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});
