// The query API's DynamoDB adapter: Query and GetItem only for reads (no Scan), keys from the shared table
// definition. Writes are limited to the allowlist, recipient erasure and the reactivation audit.
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { auditItem } from '../adapters/dynamo-items.ts';
import { ALLOWLIST_PK, COUNTER_SHARDS, INDEX_BY_ID, keys, SUMMARY_SK } from '../adapters/table-definition.ts';
import type { QueryRequest, QueryResult, QueryRunner } from './timeline.ts';

export type Item = Record<string, unknown>;

export interface AllowlistRecord {
  kind: 'address' | 'domain';
  value: string;
  note: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface ReactivationRecord {
  email: string;
  domain: string;
  eventId: string;
  requestId: string;
  occurredAt: string;
  actor: string;
  detail: string;
  /** Update the summary too (absent when the address was only on SES's list). */
  summaryExists: boolean;
}

export interface QueryStore {
  readonly runQuery: QueryRunner;
  getSummary(email: string): Promise<Item | null>;
  getEvent(id: string): Promise<Item | null>;
  /** Day-total counter items for the UTC days from..to (inclusive), all shards. */
  dayCounters(fromDay: string, toDay: string): Promise<Item[]>;
  /** Day × domain counter items for the UTC days from..to (inclusive), all shards. */
  domainDayCounters(fromDay: string, toDay: string): Promise<Item[]>;
  getAllowlistEntry(kind: AllowlistRecord['kind'], value: string): Promise<AllowlistRecord | null>;
  putAllowlistEntry(entry: AllowlistRecord): Promise<AllowlistRecord>;
  /** Resolves false when there was no such entry. */
  deleteAllowlistEntry(kind: AllowlistRecord['kind'], value: string): Promise<boolean>;
  listAllowlist(
    limit: number,
    afterSortKey: string | null,
  ): Promise<{ items: AllowlistRecord[]; lastSortKey: string | null }>;
  /** Deletes every item of the recipient's partition (history, audit and summary); returns how many. */
  eraseRecipient(email: string): Promise<number>;
  recordReactivation(record: ReactivationRecord): Promise<void>;
}

function allowlistKey(kind: AllowlistRecord['kind'], value: string) {
  return kind === 'address' ? keys.allowlistAddress(value) : keys.allowlistDomain(value);
}

function toAllowlistRecord(item: Item): AllowlistRecord | null {
  const kind = item.kind;
  const value = item.value;
  if ((kind !== 'address' && kind !== 'domain') || typeof value !== 'string') return null;
  return {
    kind,
    value,
    note: typeof item.note === 'string' ? item.note : null,
    createdAt: typeof item.createdAt === 'string' ? item.createdAt : new Date(0).toISOString(),
    createdBy: typeof item.createdBy === 'string' ? item.createdBy : null,
  };
}

function yearsBetween(fromDay: string, toDay: string): string[] {
  const years: string[] = [];
  for (let year = Number(fromDay.slice(0, 4)); year <= Number(toDay.slice(0, 4)); year += 1) {
    years.push(String(year).padStart(4, '0'));
  }
  return years;
}

const BATCH_WRITE_SIZE = 25;

export function dynamoQueryStore(client: DynamoDBDocumentClient, tableName: string): QueryStore {
  async function queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let exclusiveStartKey: Item | undefined;
    do {
      const out = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey }));
      items.push(...((out.Items ?? []) as Item[]));
      exclusiveStartKey = out.LastEvaluatedKey as Item | undefined;
    } while (exclusiveStartKey !== undefined);
    return items;
  }

  async function countersOf(prefix: 'STAT' | 'STATDOM', low: string, high: string, from: string, to: string) {
    const queries = yearsBetween(from, to).flatMap((year) =>
      Array.from({ length: COUNTER_SHARDS }, (_unused, shard) =>
        queryAll({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': `${prefix}#${year}#${shard}`, ':low': low, ':high': high },
        }),
      ),
    );
    return (await Promise.all(queries)).flat();
  }

  const runQuery: QueryRunner = async (request: QueryRequest): Promise<QueryResult> => {
    const { stream, filter } = request;
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: stream.indexName,
        KeyConditionExpression: '#qpk = :qpk AND #qsk BETWEEN :qlow AND :qhigh',
        ExpressionAttributeNames: {
          '#qpk': stream.partitionKeyName,
          '#qsk': stream.sortKeyName,
          ...(filter?.names ?? {}),
        },
        ExpressionAttributeValues: {
          ':qpk': stream.partitionKeyValue,
          ':qlow': request.lowSortKey,
          ':qhigh': request.highSortKey,
          ...(filter?.values ?? {}),
        },
        FilterExpression: filter?.expression,
        ScanIndexForward: false,
        Limit: request.limit,
        ExclusiveStartKey: request.exclusiveStartKey,
      }),
    );
    return { items: (out.Items ?? []) as Item[], lastEvaluatedKey: out.LastEvaluatedKey as Item | undefined };
  };

  return {
    runQuery,

    async getSummary(email) {
      const out = await client.send(new GetCommand({ TableName: tableName, Key: keys.summary(email) }));
      return (out.Item as Item | undefined) ?? null;
    },

    async getEvent(id) {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: INDEX_BY_ID,
          KeyConditionExpression: '#eid = :eid',
          ExpressionAttributeNames: { '#eid': 'eid' },
          ExpressionAttributeValues: { ':eid': id },
          Limit: 1,
        }),
      );
      return (out.Items?.[0] as Item | undefined) ?? null;
    },

    dayCounters(fromDay, toDay) {
      return countersOf('STAT', `D#${fromDay}`, `D#${toDay}`, fromDay, toDay);
    },

    domainDayCounters(fromDay, toDay) {
      // `~` sorts after every domain character, so `<toDay>~` closes the last day's range.
      return countersOf('STATDOM', fromDay, `${toDay}~`, fromDay, toDay);
    },

    async getAllowlistEntry(kind, value) {
      const out = await client.send(new GetCommand({ TableName: tableName, Key: allowlistKey(kind, value) }));
      return out.Item === undefined ? null : toAllowlistRecord(out.Item);
    },

    async putAllowlistEntry(entry) {
      // Re-putting keeps the original creation time and author; the note is replaced.
      const out = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: allowlistKey(entry.kind, entry.value),
          UpdateExpression:
            'SET #entity = :entity, #kind = :kind, #value = :value, #note = :note, ' +
            '#createdAt = if_not_exists(#createdAt, :createdAt), #createdBy = if_not_exists(#createdBy, :createdBy)',
          ExpressionAttributeNames: {
            '#entity': 'entity',
            '#kind': 'kind',
            '#value': 'value',
            '#note': 'note',
            '#createdAt': 'createdAt',
            '#createdBy': 'createdBy',
          },
          ExpressionAttributeValues: {
            ':entity': 'allowlist',
            ':kind': entry.kind,
            ':value': entry.value,
            ':note': entry.note,
            ':createdAt': entry.createdAt,
            ':createdBy': entry.createdBy,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (out.Attributes === undefined ? null : toAllowlistRecord(out.Attributes)) ?? entry;
    },

    async deleteAllowlistEntry(kind, value) {
      const out = await client.send(
        new DeleteCommand({ TableName: tableName, Key: allowlistKey(kind, value), ReturnValues: 'ALL_OLD' }),
      );
      return out.Attributes !== undefined;
    },

    async listAllowlist(limit, afterSortKey) {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': ALLOWLIST_PK },
          Limit: limit,
          ExclusiveStartKey: afterSortKey === null ? undefined : { pk: ALLOWLIST_PK, sk: afterSortKey },
        }),
      );
      const rows = (out.Items ?? []) as Item[];
      const items = rows.map(toAllowlistRecord).filter((entry): entry is AllowlistRecord => entry !== null);
      const last = out.LastEvaluatedKey?.sk;
      return { items, lastSortKey: typeof last === 'string' ? last : null };
    },

    async eraseRecipient(email) {
      const rows = await queryAll({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': keys.recipientPk(email) },
        ProjectionExpression: '#pk, #sk',
      });
      for (let index = 0; index < rows.length; index += BATCH_WRITE_SIZE) {
        let requests: BatchWriteCommandInput['RequestItems'] = {
          [tableName]: rows
            .slice(index, index + BATCH_WRITE_SIZE)
            .map((row) => ({ DeleteRequest: { Key: { pk: row.pk, sk: row.sk } } })),
        };
        for (let attempt = 0; Object.keys(requests ?? {}).length > 0; attempt += 1) {
          const out: BatchWriteCommandOutput = await client.send(
            new BatchWriteCommand({ RequestItems: requests }),
          );
          requests = out.UnprocessedItems ?? {};
          if (Object.keys(requests ?? {}).length > 0)
            await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        }
      }
      return rows.length;
    },

    async recordReactivation(record) {
      const audit = auditItem({
        id: record.eventId,
        email: record.email,
        domain: record.domain,
        occurredAt: record.occurredAt,
        recordedAt: record.occurredAt,
        action: 'reactivated',
        actor: record.actor,
        requestId: record.requestId,
        causeEventId: null,
        detail: record.detail,
      });
      const putAudit = {
        Put: { TableName: tableName, Item: audit, ConditionExpression: 'attribute_not_exists(pk)' },
      };
      if (!record.summaryExists) {
        await client.send(new PutCommand(putAudit.Put));
        return;
      }
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            putAudit,
            {
              Update: {
                TableName: tableName,
                Key: { pk: keys.recipientPk(record.email), sk: SUMMARY_SK },
                ConditionExpression: 'attribute_exists(pk)',
                UpdateExpression:
                  'SET #suppression = :suppression, #softStreak = :zero, #softBounceTimes = :empty, ' +
                  '#streakForgottenUntil = :now, #sesSuppression = :sesSuppression ADD #version :one',
                ExpressionAttributeNames: {
                  '#suppression': 'suppression',
                  '#softStreak': 'softStreak',
                  '#softBounceTimes': 'softBounceTimes',
                  // A fresh start: soft bounces at or before the reactivation never count toward a streak again.
                  '#streakForgottenUntil': 'streakForgottenUntil',
                  '#sesSuppression': 'sesSuppression',
                  '#version': 'version',
                },
                ExpressionAttributeValues: {
                  ':suppression': {
                    state: 'confirmed',
                    action: 'delete',
                    cause: 'reactivation',
                    since: record.occurredAt,
                    eventId: record.eventId,
                    requestId: record.requestId,
                    updatedAt: record.occurredAt,
                  },
                  ':sesSuppression': { likely: false, mislabel: false },
                  ':zero': 0,
                  ':now': record.occurredAt,
                  ':empty': [],
                  ':one': 1,
                },
              },
            },
          ],
        }),
      );
    },
  };
}
