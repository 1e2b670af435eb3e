// Adapters at the SDK boundary (allowlist cache, SESv2 error mapping) and the worker's pacing with a fake clock.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BadRequestException,
  DeleteSuppressedDestinationCommand,
  NotFoundException,
  PutSuppressedDestinationCommand,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoAllowlist, DynamoEventStore } from '../../lambdas/adapters/dynamo-event-store.ts';
import { Sesv2SuppressionList } from '../../lambdas/adapters/sesv2-suppression-list.ts';
import { allowlistCoverage } from '../../lambdas/domain/allowlist.ts';
import { drainSuppressionRequests } from '../../lambdas/domain/apply-suppression.ts';
import { SuppressionListRejectedError, SuppressionListThrottledError } from '../../lambdas/domain/ports.ts';
import { pendingSuppression, summaryItemOf } from '../support/summary-items.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const sesClient = new SESv2Client({ region: 'us-east-1' });

beforeEach(() => {
  dynamo.reset();
  ses.reset();
});

describe('DynamoAllowlist', () => {
  it('loads the allowlist partition once for concurrent lookups and matches addresses and (sub)domains', async () => {
    // Prepare
    dynamo.on(QueryCommand).resolves({
      Items: [
        { pk: 'ALLOW', sk: 'ADDR#seed@inbox.example' },
        { pk: 'ALLOW', sk: 'DOMAIN#example.com' },
      ],
    });
    const allowlist = new DynamoAllowlist(doc, { tableName: 't', cacheSeconds: 60, now: () => new Date(0) });

    // Act
    const covered = (email: string, domain: string) =>
      allowlistCoverage((kind, value) => allowlist.has(kind, value), email, domain);
    const answers = await Promise.all([
      covered('seed@inbox.example', 'inbox.example'),
      covered('a@example.com', 'example.com'),
      covered('b@mail.example.com', 'mail.example.com'),
      covered('c@notexample.com', 'notexample.com'),
      covered('other@inbox.example', 'inbox.example'),
    ]);

    // Assess
    expect(answers).toEqual(['address', 'domain', 'domain', null, null]);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'ALLOW' },
    });
  });

  it('reloads after the cache time and follows pagination', async () => {
    // Prepare
    let now = 0;
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: { pk: 'ALLOW', sk: 'A' } })
      .resolvesOnce({ Items: [] })
      .resolves({ Items: [{ pk: 'ALLOW', sk: 'DOMAIN#late.example' }] });
    const allowlist = new DynamoAllowlist(doc, {
      tableName: 't',
      cacheSeconds: 60,
      now: () => new Date(now),
    });

    // Act
    const before = await allowlist.has('domain', 'late.example');
    now = 61_000;
    const after = await allowlist.has('domain', 'late.example');

    // Assess
    expect([before, after]).toEqual([false, true]);
    expect(dynamo.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'ALLOW',
      sk: 'A',
    });
  });
});

describe('Sesv2SuppressionList', () => {
  const list = new Sesv2SuppressionList(sesClient);

  it('maps TooManyRequests to a retryable error and BadRequest to a final one', async () => {
    ses
      .on(PutSuppressedDestinationCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Too many requests', $metadata: {} }))
      .rejectsOnce(new BadRequestException({ message: 'Account is in the sandbox', $metadata: {} }));

    await expect(list.put('a@example.com', 'BOUNCE')).rejects.toBeInstanceOf(SuppressionListThrottledError);
    await expect(list.put('a@example.com', 'BOUNCE')).rejects.toThrow(
      new SuppressionListRejectedError('Account is in the sandbox'),
    );
  });

  it('a delete of an address that is not listed is done, not an error', async () => {
    ses
      .on(DeleteSuppressedDestinationCommand)
      .rejects(new NotFoundException({ message: 'not on list', $metadata: {} }));

    expect(await list.remove('a@example.com')).toBe('not-found');
  });
});

describe('drainSuppressionRequests pacing', () => {
  it('spaces SES calls to the configured rate with the injected clock', async () => {
    // Prepare
    let clock = 0;
    const sleeps: number[] = [];
    const callTimes: number[] = [];
    dynamo.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
      Item: summaryItemOf(input.Key.pk.slice(2), {
        suppression: pendingSuppression(input.Key.pk.slice(2), 'put'),
      }),
    }));
    dynamo.on(UpdateCommand).resolves({});
    ses.on(PutSuppressedDestinationCommand).callsFake(() => {
      callTimes.push(clock);
      return {};
    });
    const messages = ['a', 'b', 'c'].map((name) => {
      const email = `${name}@example.com`;
      return {
        id: name,
        body: JSON.stringify({
          v: 1,
          requestId: email,
          action: 'put',
          email,
          reason: 'BOUNCE',
          cause: 'hard-bounce',
          eventId: 'e',
          requestedAt: '2026-11-26T00:00:00.000Z',
        }),
      };
    });

    // Act
    const result = await drainSuppressionRequests(messages, {
      store: new DynamoEventStore(doc, { tableName: 't', eventRetentionDays: 1, recipientRetentionDays: 1 }),
      list: new Sesv2SuppressionList(sesClient),
      now: () => new Date(clock),
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      ratePerSecond: 2,
      dryRun: false,
    });

    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.map((o) => o.outcome.status)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    expect(callTimes).toEqual([0, 500, 1000]);
    expect(sleeps).toEqual([500, 500]);
  });

  it('backs off on throttling after the SDK retries and tries the same request again', async () => {
    // Prepare
    let clock = 0;
    const sleeps: number[] = [];
    dynamo.on(GetCommand).resolves({
      Item: summaryItemOf('a@example.com', { suppression: pendingSuppression('r', 'put') }),
    });
    dynamo.on(UpdateCommand).resolves({});
    ses
      .on(PutSuppressedDestinationCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow', $metadata: {} }))
      .rejectsOnce(new TooManyRequestsException({ message: 'slow', $metadata: {} }))
      .resolves({});
    const body = JSON.stringify({
      v: 1,
      requestId: 'r',
      action: 'put',
      email: 'a@example.com',
      reason: 'BOUNCE',
      cause: 'hard-bounce',
      eventId: 'r',
      requestedAt: '2026-11-26T00:00:00.000Z',
    });

    // Act
    const result = await drainSuppressionRequests(
      [{ id: 'm', body }],
      {
        store: new DynamoEventStore(doc, {
          tableName: 't',
          eventRetentionDays: 1,
          recipientRetentionDays: 1,
        }),
        list: new Sesv2SuppressionList(sesClient),
        now: () => new Date(clock),
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
        ratePerSecond: 1,
        dryRun: false,
      },
      [2000, 4000],
    );

    // Assess
    expect(result).toEqual({
      outcomes: [{ id: 'm', outcome: expect.objectContaining({ status: 'confirmed' }) }],
      retry: [],
    });
    expect(ses.commandCalls(PutSuppressedDestinationCommand)).toHaveLength(3);
    expect(sleeps.filter((ms) => ms >= 2000)).toEqual([2000, 4000]);
  });
});
