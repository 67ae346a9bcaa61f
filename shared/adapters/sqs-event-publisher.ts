import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ConsentEvent } from '../domain/consent-event.js';
import type { EventPublisher } from '../domain/ports.js';
import { sqs } from './aws-clients.js';

/**
 * Puts consent events on the FIFO queue. The message group is the number, so events for one number are
 * delivered in order while different numbers proceed in parallel; the deduplication id is the event id,
 * so SQS drops a repeated send within its five-minute window.
 */
export class SqsEventPublisher implements EventPublisher {
  constructor(private readonly queueUrl: string) {}

  async publish(event: ConsentEvent): Promise<void> {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(event),
        MessageGroupId: event.phone,
        MessageDeduplicationId: event.eventId,
      }),
    );
  }
}
