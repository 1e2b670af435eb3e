// The table's stream as the events publisher reads it: a record's old and new images decoded with the one codec
// of their item kind (dynamo-items.ts) into the StoredChange the domain derives events from, and the stored cause
// event an event is completed from. TTL removals are no state change (an expired summary or event is no erasure).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { CauseReader } from '../domain/publish-state-changes.ts';
import type { EventRecord } from '../domain/records.ts';
import type { StoredChange } from '../domain/state-change-events.ts';
import { eventFromItem, type Item, summaryFromItem } from './dynamo-items.ts';
import { EVENT_SK_PREFIX, keys } from './table-definition.ts';

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

function itemOf(image: Image | undefined): Item | null {
  // aws-lambda's AttributeValue and the SDK's describe the same wire shape.
  return image ? unmarshall(image as Record<string, AttributeValue>) : null;
}

/** DynamoDB's own TTL deletions carry this identity. */
function isTtlRemoval(record: DynamoDBRecord): boolean {
  return (
    record.eventName === 'REMOVE' &&
    record.userIdentity?.type === 'Service' &&
    record.userIdentity.principalId === 'dynamodb.amazonaws.com'
  );
}

/** The change one stream record describes; a corrupt image throws CorruptItemError (the record is reported). */
export function storedChangeOf(record: DynamoDBRecord): StoredChange {
  if (isTtlRemoval(record)) return { kind: 'other' };
  const before = itemOf(record.dynamodb?.OldImage);
  const after = itemOf(record.dynamodb?.NewImage);
  const entity = (after ?? before)?.entity;
  if (entity === 'summary') {
    const seconds = record.dynamodb?.ApproximateCreationDateTime;
    return {
      kind: 'summary',
      before: before ? summaryFromItem(before).summary : null,
      after: after ? summaryFromItem(after).summary : null,
      at: new Date(seconds === undefined ? Date.now() : seconds * 1000).toISOString(),
    };
  }
  if (entity === 'event') {
    return {
      kind: 'event',
      before: before ? eventFromItem(before) : null,
      after: after ? eventFromItem(after) : null,
    };
  }
  return { kind: 'other' };
}

/** Reads a recipient's stored event by id: newest first from its time, consistently (the stream may beat the index). */
export class DynamoCauseReader implements CauseReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async eventById(email: string, eventId: string, notAfter: string): Promise<EventRecord | null> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: {
            ':pk': keys.recipientPk(email),
            ':from': EVENT_SK_PREFIX,
            // An event's time is at or before the time its consequence was recorded.
            ':to': `${EVENT_SK_PREFIX}${notAfter}#\uffff`,
          },
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      // The item whose sort key ends in the id (`E#<time>#<id>`): every event and audit item has it, whatever its
      // shape (a short item stores no `id`) and the indexes. A filter could not name the key (DynamoDB refuses
      // key attributes in a Query's FilterExpression) and would read the same units.
      const item = out.Items?.find((candidate) => String(candidate.sk).endsWith(`#${eventId}`));
      if (item) return eventFromItem(item);
      start = out.LastEvaluatedKey;
    } while (start);
    return null;
  }
}
