import type { KinesisStreamEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/Emulators';
import type { StreamRecord } from './StreamRecord';

/** The event Lambda hands a Kinesis consumer: base64 data, arrival time in float seconds, `eventID` = `shardId:sequenceNumber`. */
export function toKinesisEvent(records: readonly StreamRecord[], streamArn: string): KinesisStreamEvent {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: Buffer.from(record.data).toString('base64'),
        approximateArrivalTimestamp: record.approximateArrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${record.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/tributary-local`,
      awsRegion: LOCAL_REGION,
      eventSourceARN: streamArn,
    })),
  };
}
