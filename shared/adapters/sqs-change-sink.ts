import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { CHANGE_EVENT_DETAIL_TYPE, CHANGE_EVENT_SOURCE, type ChangeSink, type ConsentChange } from '../domain/change-events.js';
import { asciiJson } from './sqs-event-publisher.js';
import { sqs } from './sqs-client.js';

const SEND_BATCH_SIZE = 10;

/**
 * Publishes changes on a FIFO queue, in the shape of the EventBridge events consumers receive in AWS
 * (`source`, `detail-type`, `detail`): the local stack's stand-in for the bus and its rule. The number
 * is the message group and the event id the deduplication id, so each number's changes arrive in order.
 */
export class SqsChangeSink implements ChangeSink {
  constructor(private readonly queueUrl: string) {}

  async publishAll(changes: readonly ConsentChange[]): Promise<void> {
    for (let start = 0; start < changes.length; start += SEND_BATCH_SIZE) {
      const chunk = changes.slice(start, start + SEND_BATCH_SIZE);
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((change, index) => ({
            Id: String(index),
            MessageBody: asciiJson({ source: CHANGE_EVENT_SOURCE, 'detail-type': CHANGE_EVENT_DETAIL_TYPE, time: change.occurredAt, detail: change }),
            MessageGroupId: change.phone,
            MessageDeduplicationId: change.eventId,
          })),
        }),
      );
      if (Failed.length > 0) throw new Error(`The queue refused ${Failed.length} of ${chunk.length} change events`);
    }
  }
}
