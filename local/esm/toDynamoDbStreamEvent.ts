import type { DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_REGION } from '../emulators/Emulators';
import type { StreamRecord } from './StreamRecord';

/**
 * The event Lambda hands a DynamoDB Streams consumer, from the records the
 * poller read (their GetRecords JSON in `data`): creation time in epoch
 * seconds, and `userIdentity` in the lower-case shape Lambda uses (GetRecords
 * answers PascalCase, which Powertools' parser schemas reject).
 */
export function toDynamoDbStreamEvent(records: readonly StreamRecord[], streamArn: string): DynamoDBStreamEvent {
  return {
    Records: records.map((streamRecord) => {
      const record = JSON.parse(Buffer.from(streamRecord.data).toString('utf8')) as {
        eventID?: string;
        eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
        eventVersion?: string;
        dynamodb?: Record<string, unknown> & { ApproximateCreationDateTime?: string };
        userIdentity?: { Type?: string; PrincipalId?: string };
      };
      const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
      return {
        ...(record.eventID !== undefined ? { eventID: record.eventID } : {}),
        ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
        eventVersion: record.eventVersion ?? '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: LOCAL_REGION,
        dynamodb: {
          ...dynamodb,
          ApproximateCreationDateTime: ApproximateCreationDateTime ? Math.floor(Date.parse(ApproximateCreationDateTime) / 1000) : Math.floor(streamRecord.approximateArrivalMs / 1000),
        },
        eventSourceARN: streamArn,
        ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
      };
    }),
  } as DynamoDBStreamEvent;
}
