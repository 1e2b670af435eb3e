// Records every AWS SDK command a client sends (a middleware on the client's stack): which function sent it
// (an AsyncLocalStorage label set around each handler invocation), the service, the operation and the resources it
// names. The permission contract (test/infra/permission-contract.test.ts) maps these to IAM actions.
import { AsyncLocalStorage } from 'node:async_hooks';

/** A resource an SDK call names, in the terms the caller used (local table names, queue URLs, addresses). */
export type NamedResource =
  | { kind: 'table'; table: string; index?: string }
  | { kind: 'queue'; url: string }
  | { kind: 'suppressed-address'; email: string }
  | { kind: 'ses-identity'; identity: string }
  | { kind: 'event-bus'; bus: string };

export interface RecordedCall {
  /** The function whose handler sent it; '(unlabelled)' when sent outside a labelled invocation. */
  caller: string;
  service: 'dynamodb' | 'sqs' | 'sesv2' | 'ses' | 'events';
  /** The API operation, e.g. TransactWriteItems. */
  operation: string;
  /** The IAM actions the call needs, each with the resource it needs it on. */
  needs: { action: string; resource: NamedResource }[];
}

// One label store per process, shared by every instance of this module: a test that resets its modules (to load
// handlers anew) gets a second instance, whose SDK clients must still see the labels the first one sets.
const LABEL_KEY = Symbol.for('ses-bounce.aws-call-recorder.caller');
const labelHolder = globalThis as { [LABEL_KEY]?: AsyncLocalStorage<string> };
labelHolder[LABEL_KEY] ??= new AsyncLocalStorage<string>();
const callerLabel: AsyncLocalStorage<string> = labelHolder[LABEL_KEY];

/** Runs `work` with every SDK call it sends attributed to `caller`. */
export function asCaller<T>(caller: string, work: () => T): T {
  return callerLabel.run(caller, work);
}

type Input = Record<string, unknown>;

const isRecord = (value: unknown): value is Input => typeof value === 'object' && value !== null;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function table(input: Input): NamedResource {
  const index = text(input.IndexName);
  return { kind: 'table', table: text(input.TableName), ...(index ? { index } : {}) };
}

// TransactWriteItems is authorized per item action (DynamoDB's IAM docs: "TransactWriteItems ... requires
// permissions for the individual actions"); the batch operations have their own actions, per table.
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function dynamoNeeds(operation: string, input: Input): RecordedCall['needs'] {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    return items.flatMap((item: unknown) =>
      Object.entries(isRecord(item) ? item : {}).map(([kind, body]) => ({
        action: TRANSACT_ITEM_ACTIONS[kind] ?? `dynamodb:?${kind}`,
        resource: table(isRecord(body) ? body : {}),
      })),
    );
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const tables = Object.keys(isRecord(input.RequestItems) ? input.RequestItems : {});
    return tables.map((name) => ({
      action: `dynamodb:${operation}`,
      resource: { kind: 'table', table: name },
    }));
  }
  return [{ action: `dynamodb:${operation}`, resource: table(input) }];
}

function needsOf(service: RecordedCall['service'], operation: string, input: Input): RecordedCall['needs'] {
  switch (service) {
    case 'dynamodb':
      return dynamoNeeds(operation, input);
    case 'sqs':
      // SendMessageBatch is authorized as sqs:SendMessage.
      return [
        {
          action: operation === 'SendMessageBatch' ? 'sqs:SendMessage' : `sqs:${operation}`,
          resource: { kind: 'queue', url: text(input.QueueUrl) },
        },
      ];
    case 'sesv2':
      return [
        {
          action: `ses:${operation}`,
          resource: { kind: 'suppressed-address', email: text(input.EmailAddress) },
        },
      ];
    case 'events': {
      // PutEvents is authorized per entry on the bus it names (the account's default bus when none).
      const entries = Array.isArray(input.Entries) ? input.Entries.filter(isRecord) : [];
      const buses = new Set(entries.map((entry) => text(entry.EventBusName) || 'default'));
      return [...buses].map((bus) => ({
        action: `events:${operation}`,
        resource: { kind: 'event-bus', bus },
      }));
    }
    case 'ses': {
      const identities = Array.isArray(input.Identities)
        ? input.Identities.map(text)
        : [text(input.Identity)];
      return identities.map((identity) => ({
        action: `ses:${operation}`,
        resource: { kind: 'ses-identity', identity },
      }));
    }
  }
}

/** The part of an SDK client's middleware stack the recorder uses (its real type is overloaded per step). */
interface InitializeStep {
  add(
    middleware: (
      next: (args: { input: unknown }) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: { input: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** Adds the recording middleware to a client; every command it sends from then on lands in `calls`. */
export function recordCalls(
  client: { middlewareStack: object },
  service: RecordedCall['service'],
  calls: RecordedCall[],
): void {
  (client.middlewareStack as InitializeStep).add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      calls.push({
        caller: callerLabel.getStore() ?? '(unlabelled)',
        service,
        operation,
        needs: needsOf(service, operation, isRecord(args.input) ? args.input : {}),
      });
      return next(args);
    },
    { step: 'initialize', name: 'permissionContractRecorder' },
  );
}
