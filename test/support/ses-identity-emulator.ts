// A loopback stand-in for the three SES v1 (query protocol) identity-notification actions the custom resource
// calls: GetIdentityNotificationAttributes, SetIdentityNotificationTopic, SetIdentityHeadersInNotificationsEnabled.
// It keeps per-identity state like SES does, so a test can check what a create/delete left behind.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const TYPES = ['Bounce', 'Complaint', 'Delivery'] as const;
type NotificationType = (typeof TYPES)[number];

interface IdentityNotificationState {
  topics: Partial<Record<NotificationType, string>>;
  headers: Record<NotificationType, boolean>;
}

export interface SesIdentityEmulator {
  url: string;
  /** Verified identities and their notification settings. */
  identities: Map<string, IdentityNotificationState>;
  verify(
    identity: string,
    state?: {
      topics?: IdentityNotificationState['topics'];
      headers?: Partial<IdentityNotificationState['headers']>;
    },
  ): void;
  close(): Promise<void>;
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

function response(action: string, result: string): string {
  return (
    `<${action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function error(code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

function attributesXml(state: IdentityNotificationState): string {
  const topics = TYPES.flatMap((type) => {
    const topic = state.topics[type];
    return topic === undefined ? [] : [`<${type}Topic>${escapeXml(topic)}</${type}Topic>`];
  });
  const headers = TYPES.map(
    (type) =>
      `<HeadersIn${type}NotificationsEnabled>${state.headers[type]}</HeadersIn${type}NotificationsEnabled>`,
  );
  return `<ForwardingEnabled>true</ForwardingEnabled>${topics.join('')}${headers.join('')}`;
}

export async function startSesIdentityEmulator(): Promise<SesIdentityEmulator> {
  const identities = new Map<string, IdentityNotificationState>();
  const handle = (form: URLSearchParams): { status: number; body: string } => {
    const action = form.get('Action') ?? '';
    if (action === 'GetIdentityNotificationAttributes') {
      const entries = [...form.entries()]
        .filter(([key]) => key.startsWith('Identities.member.'))
        .flatMap(([, identity]) => {
          const state = identities.get(identity);
          return state === undefined
            ? []
            : [`<entry><key>${escapeXml(identity)}</key><value>${attributesXml(state)}</value></entry>`];
        });
      return {
        status: 200,
        body: response(action, `<NotificationAttributes>${entries.join('')}</NotificationAttributes>`),
      };
    }
    const identity = form.get('Identity') ?? '';
    const type = form.get('NotificationType') as NotificationType;
    const state = identities.get(identity);
    if (state === undefined) {
      return { status: 400, body: error('InvalidParameterValue', `Identity <${identity}> does not exist.`) };
    }
    if (!TYPES.includes(type)) return { status: 400, body: error('ValidationError', 'bad NotificationType') };
    if (action === 'SetIdentityNotificationTopic') {
      const topic = form.get('SnsTopic');
      if (topic === null || topic === '') delete state.topics[type];
      else state.topics[type] = topic;
      return { status: 200, body: response(action, '') };
    }
    if (action === 'SetIdentityHeadersInNotificationsEnabled') {
      const enabled = form.get('Enabled') === 'true';
      // As SES: headers can only be enabled for a type that has a topic.
      if (enabled && state.topics[type] === undefined) {
        return { status: 400, body: error('InvalidParameterValue', `No ${type} topic set for ${identity}.`) };
      }
      state.headers[type] = enabled;
      return { status: 200, body: response(action, '') };
    }
    return { status: 400, body: error('InvalidAction', `Unsupported action ${action}`) };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { status, body } = handle(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    identities,
    verify(identity, state = {}) {
      identities.set(identity, {
        topics: { ...state.topics },
        headers: { Bounce: false, Complaint: false, Delivery: false, ...state.headers },
      });
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
