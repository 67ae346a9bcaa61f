import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { DeadLetterReader } from '../domain/sweep-requests.js';
import { requestReferenceOf } from '../domain/request-reference.js';
import type { E164 } from '../domain/phone.js';
import { sqs } from './sqs-client.js';

/** Long enough that one sweep does not read the same message twice; short enough to leave a redrive free. */
const HIDE_SECONDS = 20;

/**
 * Reads the requests named by the events in the FIFO dead-letter queue without moving them: messages
 * are received and left to reappear. A FIFO queue hands out up to ten messages of a group at a time and
 * no more until they reappear, so a number with more than ten dead-lettered events shows its first ten
 * on this sweep and the rest on later sweeps, as the first are redriven or expire.
 */
export class SqsDeadLetterReader implements DeadLetterReader {
  constructor(private readonly deadLetterQueueUrl: string) {}

  async requests(limit: number): Promise<{ requestId: string; phone: E164 }[]> {
    const found = new Map<string, { requestId: string; phone: E164 }>();
    for (let received = 0; received < limit; ) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.deadLetterQueueUrl,
          MaxNumberOfMessages: Math.min(10, limit - received),
          VisibilityTimeout: HIDE_SECONDS,
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) break;
      received += Messages.length;
      for (const message of Messages) {
        const reference = requestReferenceOf(message.Body ?? '');
        if (reference) found.set(reference.requestId, reference);
      }
    }
    return [...found.values()];
  }
}
