import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { QueuedEvent } from '../domain/consent-event.js';
import type { EventPublisher } from '../domain/ports.js';
import { sqs } from './sqs-client.js';

/**
 * Puts consent events on the FIFO queue. The message group is the number, so events for one number are
 * delivered in order while different numbers proceed in parallel; the deduplication id is the event id,
 * so SQS drops a repeated send within its five-minute window.
 */
export class SqsEventPublisher implements EventPublisher {
  constructor(private readonly queueUrl: string) {}

  async publish(event: QueuedEvent, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    await sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, ...messageOf(event) }), { abortSignal: options.signal });
  }

  /**
   * Sends in batches of ten (the SQS limit), a few batches at a time. Within one batch SQS keeps the
   * order of a group's messages; events of one number in different batches carry no order of their own
   * (provider events are ordered by their failure time).
   */
  async publishAll(events: readonly QueuedEvent[], options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const batches: QueuedEvent[][] = [];
    for (let start = 0; start < events.length; start += SEND_BATCH_SIZE) {
      batches.push(events.slice(start, start + SEND_BATCH_SIZE));
    }
    for (let start = 0; start < batches.length; start += CONCURRENT_BATCHES) {
      await Promise.all(batches.slice(start, start + CONCURRENT_BATCHES).map((batch) => this.sendBatch(batch, options.signal)));
    }
  }

  private async sendBatch(batch: readonly QueuedEvent[], signal: AbortSignal | undefined): Promise<void> {
    const { Failed } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: batch.map((event, index) => ({ Id: String(index), ...messageOf(event) })),
      }),
      { abortSignal: signal },
    );
    if (Failed && Failed.length > 0) {
      const reasons = Failed.map((failure) => `${failure.Code ?? 'unknown'}: ${failure.Message ?? ''}`);
      throw new Error(`The queue refused ${Failed.length} of ${batch.length} events (${reasons.join('; ')})`);
    }
  }
}

const SEND_BATCH_SIZE = 10;
/** Enough to send a large callback quickly without opening hundreds of connections at once. */
const CONCURRENT_BATCHES = 8;

function messageOf(event: QueuedEvent) {
  return { MessageBody: asciiJson(event), MessageGroupId: event.phone, MessageDeduplicationId: event.eventId };
}

/**
 * JSON with every non-ASCII character written as a `\u` escape. It parses to the same value, and it
 * keeps reasons in any script (emoji included) clear of the character rules of SQS implementations:
 * some emulators refuse characters beyond U+FFFD that AWS accepts.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
