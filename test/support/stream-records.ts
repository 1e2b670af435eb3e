// DynamoDB stream records as the table's stream delivers them (NEW_AND_OLD_IMAGES), built from items written by the
// one codec per kind, for the events publisher's tests.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

function image(item: Record<string, unknown> | null): StreamImage | undefined {
  // The SDK's AttributeValue and aws-lambda's describe the same wire shape.
  return item
    ? (marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue> as StreamImage)
    : undefined;
}

export function streamRecord(
  sequenceNumber: string,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  options: { ttl?: boolean; at?: number } = {},
): DynamoDBRecord {
  const item = after ?? before;
  return {
    eventID: `e${sequenceNumber}`,
    eventName: before === null ? 'INSERT' : after === null ? 'REMOVE' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    ...(options.ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    dynamodb: {
      ApproximateCreationDateTime: options.at ?? 1_796_000_000,
      Keys: image({ pk: item?.pk, sk: item?.sk }),
      OldImage: image(before),
      NewImage: image(after),
      SequenceNumber: sequenceNumber,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
