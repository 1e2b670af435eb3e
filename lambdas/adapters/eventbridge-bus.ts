// The one EventBridge adapter: PutEvents on the configured bus, answering per entry whether EventBridge took it.
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBus } from '../domain/publish-state-changes.ts';
import { EVENT_SOURCE, type StateChangeEvent } from '../domain/state-change-events.ts';

export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    /** `default` or a bus ARN. */
    private readonly busName: string,
  ) {}

  async put(events: readonly StateChangeEvent[]): Promise<readonly boolean[]> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.busName,
          Source: EVENT_SOURCE,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
          Time: new Date(event.time),
        })),
      }),
    );
    // A failed entry has an ErrorCode; the answer lists the entries in the request's order.
    return events.map(
      (_, index) => out.Entries?.[index]?.ErrorCode === undefined && out.Entries?.[index] !== undefined,
    );
  }
}
