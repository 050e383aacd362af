/**
 * EventPublisher on EventBridge: the refresher's events (contract) on the project's custom bus.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, RefresherEvent } from '../core/ports';
import { EventPublishError } from './errors';
import { REFRESHER_EVENT_SOURCE } from './names';

export interface EventBridgePublisherOptions {
  /** Created once at module scope by the caller. */
  readonly client: EventBridgeClient;
  readonly eventBusName: string;
}

/** The EventBridge EventPublisher. */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #eventBusName: string;

  constructor(options: EventBridgePublisherOptions) {
    this.#client = options.client;
    this.#eventBusName = options.eventBusName;
  }

  async publish(event: RefresherEvent): Promise<void> {
    const output = await this.#client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: REFRESHER_EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            EventBusName: this.#eventBusName,
          },
        ],
      }),
    );
    // PutEvents answers 200 even when an entry was refused; the failure is only in the body.
    if ((output.FailedEntryCount ?? 0) > 0) {
      throw new EventPublishError(event.detailType, output.Entries?.[0]?.ErrorCode);
    }
  }
}
