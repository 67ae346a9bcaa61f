import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CHANGE_EVENT_DETAIL_TYPE, CHANGE_EVENT_SOURCE, type ChangeSink, type ConsentChange } from '../domain/change-events.js';
import { BOUNDED_CALLS } from './bounded-calls.js';

/** PutEvents takes ten entries at a time. */
const ENTRIES_PER_CALL = 10;

const eventBridge = new EventBridgeClient(BOUNDED_CALLS);

/**
 * Publishes changes on the EventBridge bus, ten at a time and in order. An entry the bus refuses fails
 * the call, so that the stream delivers the records again (consumers drop repeats by `eventId`).
 */
export class EventBridgeChangeSink implements ChangeSink {
  constructor(private readonly busName: string) {}

  async publishAll(changes: readonly ConsentChange[]): Promise<void> {
    for (let start = 0; start < changes.length; start += ENTRIES_PER_CALL) {
      const chunk = changes.slice(start, start + ENTRIES_PER_CALL);
      const { FailedEntryCount = 0, Entries = [] } = await eventBridge.send(
        new PutEventsCommand({
          Entries: chunk.map((change) => ({
            EventBusName: this.busName,
            Source: CHANGE_EVENT_SOURCE,
            DetailType: CHANGE_EVENT_DETAIL_TYPE,
            Detail: JSON.stringify(change),
            Time: new Date(change.occurredAt),
          })),
        }),
      );
      if (FailedEntryCount > 0) {
        const reasons = Entries.flatMap((entry) => (entry.ErrorCode ? [`${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`] : []));
        throw new Error(`The bus refused ${FailedEntryCount} of ${chunk.length} change events (${reasons.join('; ')})`);
      }
    }
  }
}
