// The identity-notification custom resource's handler against a loopback SES v1: it records what the identity had,
// points it at the topic with headers, restores the previous topic and header setting on delete, and lets the
// stack delete when the identity is gone.
import { Logger } from '@aws-lambda-powertools/logger';
import { SESClient } from '@aws-sdk/client-ses';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIdentityNotificationHandler } from '../../infra/handlers/identity-notifications.ts';
import { type SesIdentityEmulator, startSesIdentityEmulator } from '../support/ses-identity-emulator.ts';

const OURS = 'arn:aws:sns:eu-west-1:123456789012:stack-feedback';
const THEIRS = 'arn:aws:sns:eu-west-1:123456789012:owner-feedback';

let ses: SesIdentityEmulator;
let client: SESClient;
let handle: ReturnType<typeof createIdentityNotificationHandler>;

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  properties: { Identity: string; NotificationType: string; TopicArn: string },
  physicalResourceId = '',
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Test/1',
    RequestId: 'request-1',
    LogicalResourceId: 'Identity0Bounce',
    ResourceType: 'Custom::SesIdentityNotification',
    ResourceProperties: { ServiceToken: 'token', ...properties },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Delete')
    return { ...base, RequestType: 'Delete', PhysicalResourceId: physicalResourceId };
  return {
    ...base,
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    OldResourceProperties: { ServiceToken: 'token' },
  };
}

const bounce = (identity: string, topic = OURS) => ({
  Identity: identity,
  NotificationType: 'Bounce',
  TopicArn: topic,
});

beforeAll(async () => {
  ses = await startSesIdentityEmulator();
  client = new SESClient({
    endpoint: ses.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  handle = createIdentityNotificationHandler(client, new Logger({ logLevel: 'SILENT' }));
});

afterAll(async () => {
  client.destroy();
  await ses.close();
});

beforeEach(() => ses.identities.clear());

describe('identity-notification custom resource', () => {
  it('on create records the previous topic and headers, then points the type at the topic with headers', async () => {
    ses.verify('example.com', { topics: { Bounce: THEIRS } });
    const result = await handle(event('Create', bounce('example.com')));
    expect(result.Data).toEqual({ PreviousTopicArn: THEIRS, PreviousHeadersEnabled: 'false' });
    expect(JSON.parse(result.PhysicalResourceId)).toEqual({
      identity: 'example.com',
      type: 'Bounce',
      previousTopicArn: THEIRS,
      previousHeadersEnabled: false,
    });
    expect(ses.identities.get('example.com')).toMatchObject({
      topics: { Bounce: OURS },
      headers: { Bounce: true, Complaint: false },
    });
  });

  it('on delete restores the previous topic and turns headers back to what they were', async () => {
    ses.verify('example.com', { topics: { Bounce: THEIRS } });
    const created = await handle(event('Create', bounce('example.com')));
    await handle(event('Delete', bounce('example.com'), created.PhysicalResourceId));
    expect(ses.identities.get('example.com')).toMatchObject({
      topics: { Bounce: THEIRS },
      headers: { Bounce: false },
    });
  });

  it('on delete clears the topic and headers when the identity had none before', async () => {
    ses.verify('news@example.org');
    const created = await handle(event('Create', bounce('news@example.org')));
    await handle(event('Delete', bounce('news@example.org'), created.PhysicalResourceId));
    expect(ses.identities.get('news@example.org')).toEqual({
      topics: {},
      headers: { Bounce: false, Complaint: false, Delivery: false },
    });
  });

  it('keeps headers on after delete when the owner had them on', async () => {
    ses.verify('example.com', { topics: { Bounce: THEIRS }, headers: { Bounce: true } });
    const created = await handle(event('Create', bounce('example.com')));
    await handle(event('Delete', bounce('example.com'), created.PhysicalResourceId));
    expect(ses.identities.get('example.com')).toMatchObject({
      topics: { Bounce: THEIRS },
      headers: { Bounce: true },
    });
  });

  it('does not block stack deletion when the identity is gone', async () => {
    ses.verify('gone.example.com');
    const created = await handle(event('Create', bounce('gone.example.com')));
    ses.identities.delete('gone.example.com');
    await expect(
      handle(event('Delete', bounce('gone.example.com'), created.PhysicalResourceId)),
    ).resolves.toEqual({ PhysicalResourceId: created.PhysicalResourceId });
  });

  it('leaves a topic someone re-pointed since the create alone on delete', async () => {
    ses.verify('example.com');
    const created = await handle(event('Create', bounce('example.com')));
    const state = ses.identities.get('example.com');
    if (state) state.topics.Bounce = THEIRS;
    await handle(event('Delete', bounce('example.com'), created.PhysicalResourceId));
    expect(ses.identities.get('example.com')?.topics.Bounce).toBe(THEIRS);
  });

  it('on a topic change keeps the recorded previous state (same physical id)', async () => {
    ses.verify('example.com', { topics: { Bounce: THEIRS } });
    const created = await handle(event('Create', bounce('example.com')));
    const other = 'arn:aws:sns:eu-west-1:123456789012:stack-feedback-2';
    const updated = await handle(event('Update', bounce('example.com', other), created.PhysicalResourceId));
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(ses.identities.get('example.com')?.topics.Bounce).toBe(other);
    await handle(event('Delete', bounce('example.com', other), updated.PhysicalResourceId));
    expect(ses.identities.get('example.com')?.topics.Bounce).toBe(THEIRS);
  });

  it('fails the create of an identity SES does not know, naming it', async () => {
    await expect(handle(event('Create', bounce('unverified.example.com')))).rejects.toThrow(
      /unverified\.example\.com is not an SES identity/,
    );
  });

  it('treats a delete after a failed create (no recorded state) as nothing to undo', async () => {
    ses.verify('example.com', { topics: { Bounce: THEIRS } });
    await handle(event('Delete', bounce('example.com'), 'request-1'));
    expect(ses.identities.get('example.com')?.topics.Bounce).toBe(THEIRS);
  });
});
