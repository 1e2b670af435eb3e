// Custom resource handler (CDK provider framework, onEvent): points one notification type of one SES identity at
// the stack's topic with original headers included, remembers what the identity had before, and puts that back on
// delete. The remembered state lives in the physical resource id, which CloudFormation hands back on every update
// and delete (Data returned on create is not).
import { Logger } from '@aws-lambda-powertools/logger';
import {
  GetIdentityNotificationAttributesCommand,
  SESClient,
  SetIdentityHeadersInNotificationsEnabledCommand,
  SetIdentityNotificationTopicCommand,
} from '@aws-sdk/client-ses';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod';

const notificationType = z.enum(['Bounce', 'Complaint', 'Delivery']);
type NotificationType = z.infer<typeof notificationType>;

/** The custom resource's properties, as infra/constructs/ses-wiring.ts sets them. */
const identityNotificationProperties = z.object({
  Identity: z.string().min(1),
  NotificationType: notificationType,
  TopicArn: z.string().startsWith('arn:'),
});
type Properties = z.infer<typeof identityNotificationProperties>;

/** What the identity had for this type before the stack changed it. */
const previousState = z.object({
  identity: z.string(),
  type: notificationType,
  previousTopicArn: z.string().nullable(),
  previousHeadersEnabled: z.boolean(),
});
type PreviousState = z.infer<typeof previousState>;

export interface IdentityNotificationResult {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

interface CurrentState {
  topicArn: string | null;
  headersEnabled: boolean;
}

export type IdentityNotificationLog = Pick<Logger, 'info' | 'warn'>;

function decodePrevious(physicalResourceId: string): PreviousState | null {
  try {
    const parsed = previousState.safeParse(JSON.parse(physicalResourceId));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function createIdentityNotificationHandler(client: SESClient, log: IdentityNotificationLog) {
  /** The identity's current setting for the type; null when SES does not know the identity (deleted). */
  const read = async (identity: string, type: NotificationType): Promise<CurrentState | null> => {
    const out = await client.send(new GetIdentityNotificationAttributesCommand({ Identities: [identity] }));
    const attributes = out.NotificationAttributes?.[identity];
    if (attributes === undefined) return null;
    return {
      topicArn: attributes[`${type}Topic`] ?? null,
      headersEnabled: attributes[`HeadersIn${type}NotificationsEnabled`] ?? false,
    };
  };

  const point = async ({ Identity, NotificationType, TopicArn }: Properties): Promise<void> => {
    await client.send(
      new SetIdentityNotificationTopicCommand({ Identity, NotificationType, SnsTopic: TopicArn }),
    );
    // Headers can only be included once the type has a topic.
    await client.send(
      new SetIdentityHeadersInNotificationsEnabledCommand({ Identity, NotificationType, Enabled: true }),
    );
  };

  const create = async (properties: Properties): Promise<IdentityNotificationResult> => {
    const { Identity: identity, NotificationType: type, TopicArn: topicArn } = properties;
    const current = await read(identity, type);
    if (current === null) {
      throw new Error(`${identity} is not an SES identity of this account in this region; verify it first.`);
    }
    // A topic that already is ours was left by an earlier attempt: there is nothing of the owner's to restore.
    const previous: PreviousState = {
      identity,
      type,
      previousTopicArn: current.topicArn === topicArn ? null : current.topicArn,
      previousHeadersEnabled: current.topicArn === topicArn ? false : current.headersEnabled,
    };
    if (previous.previousTopicArn !== null) {
      log.warn(
        'identity notifications were going to another topic; it is restored when the stack is deleted',
        {
          identity,
          type,
          previousTopicArn: previous.previousTopicArn,
        },
      );
    }
    await point(properties);
    return {
      PhysicalResourceId: JSON.stringify(previous),
      Data: {
        PreviousTopicArn: previous.previousTopicArn ?? '',
        PreviousHeadersEnabled: String(previous.previousHeadersEnabled),
      },
    };
  };

  const remove = async (physicalResourceId: string, properties: Properties): Promise<void> => {
    const previous = decodePrevious(physicalResourceId);
    // A create that failed before recording anything changed nothing.
    if (previous === null) return;
    const current = await read(previous.identity, previous.type);
    if (current === null) {
      log.info('identity no longer exists; nothing to restore', { identity: previous.identity });
      return;
    }
    if (current.topicArn !== properties.TopicArn) {
      log.warn('identity notifications were re-pointed since; left as they are', {
        identity: previous.identity,
        type: previous.type,
      });
      return;
    }
    // Headers first, while the type still has a topic (SES refuses headers on a type without one).
    await client.send(
      new SetIdentityHeadersInNotificationsEnabledCommand({
        Identity: previous.identity,
        NotificationType: previous.type,
        Enabled: previous.previousHeadersEnabled,
      }),
    );
    await client.send(
      new SetIdentityNotificationTopicCommand({
        Identity: previous.identity,
        NotificationType: previous.type,
        ...(previous.previousTopicArn !== null ? { SnsTopic: previous.previousTopicArn } : {}),
      }),
    );
  };

  return async (event: CloudFormationCustomResourceEvent): Promise<IdentityNotificationResult> => {
    const properties = identityNotificationProperties.parse(event.ResourceProperties);
    if (event.RequestType === 'Create') return create(properties);
    if (event.RequestType === 'Delete') {
      try {
        await remove(event.PhysicalResourceId, properties);
      } catch (error) {
        // The identity vanished between the calls: nothing left to restore, and the stack must still delete.
        if ((await read(properties.Identity, properties.NotificationType)) !== null) throw error;
      }
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const previous = decodePrevious(event.PhysicalResourceId);
    if (
      previous === null ||
      previous.identity !== properties.Identity ||
      previous.type !== properties.NotificationType
    ) {
      // Another identity or type: a new resource (CloudFormation then deletes the old one, which restores it).
      return create(properties);
    }
    await point(properties);
    return { PhysicalResourceId: event.PhysicalResourceId };
  };
}

const logger = new Logger();
export const handler = createIdentityNotificationHandler(new SESClient({}), logger);
