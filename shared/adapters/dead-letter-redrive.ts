import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  queueUrl: string;
  /** Stop after this many messages. @default every message */
  max?: number;
}

export interface RedrivenMessage {
  messageId: string;
  groupId: string;
  /** The event's id, when the body names one. */
  eventId: string | undefined;
}

/**
 * Moves messages from the FIFO dead-letter queue back to the consent queue, in the order the DLQ hands
 * them out (a FIFO queue holds back a group's later messages until the earlier ones are deleted, so
 * each number's events keep their order). Each message is sent before it is deleted, so a crash in
 * between leaves a copy in both queues, never in neither; the processor applies an event once however
 * often it arrives. The deduplication id is new, or SQS would drop a redrive within five minutes of
 * the original send.
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedrivenMessage[]> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const moved: RedrivenMessage[] = [];
  let waitingSince: number | undefined;
  while (moved.length < max) {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, max - moved.length),
        WaitTimeSeconds: waitingSince === undefined ? 1 : 5,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (Messages.length === 0) {
      // Nothing visible, but another reader may hold messages for a while (the request sweeper hides
      // what it reads for 20 s every minute): they are still to be moved, once they reappear.
      waitingSince ??= Date.now();
      if ((await messageCounts(options.sqs, options.deadLetterQueueUrl)).hidden === 0 || Date.now() - waitingSince > HIDDEN_WAIT_MS) break;
      continue;
    }
    waitingSince = undefined;
    await send(options, Messages);
    await remove(options, Messages);
    moved.push(...Messages.map(describe));
  }
  return moved;
}

/** Longer than any reader of the dead-letter queue hides a message: the sweeper's 20 s, a redrive's 30 s. */
const HIDDEN_WAIT_MS = 35_000;

/** How many messages a queue holds, visible and hidden by whatever received them last (approximately, as SQS counts). */
async function messageCounts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; hidden: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0), hidden: Number(Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0) };
}

/**
 * What a redrive would move: the DLQ's depth (messages another reader holds for a moment included), and
 * the first messages it would hand out (a FIFO queue shows only the head of each group until that is
 * deleted). Nothing is moved or hidden.
 */
export async function peekDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string): Promise<{ depth: number; first: RedrivenMessage[] }> {
  const { visible, hidden } = await messageCounts(sqs, deadLetterQueueUrl);
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ['MessageGroupId'],
    }),
  );
  return { depth: visible + hidden, first: Messages.map(describe) };
}

async function send(options: RedriveOptions, messages: Message[]): Promise<void> {
  const { Failed = [] } = await options.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        MessageBody: message.Body ?? '',
        MessageGroupId: message.Attributes?.MessageGroupId ?? 'redriven',
        MessageDeduplicationId: `redrive-${message.MessageId}-${Date.now()}`,
      })),
    }),
  );
  if (Failed.length > 0) throw new Error(`The consent queue refused ${Failed.length} redriven messages; they stay in the DLQ`);
}

async function remove(options: RedriveOptions, messages: Message[]): Promise<void> {
  const { Failed = [] } = await options.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: options.deadLetterQueueUrl,
      Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
    }),
  );
  if (Failed.length > 0) throw new Error(`${Failed.length} redriven messages could not be deleted from the DLQ; they may be applied twice, harmlessly`);
}

function describe(message: Message): RedrivenMessage {
  let eventId: string | undefined;
  try {
    const body: unknown = JSON.parse(message.Body ?? '');
    if (body && typeof body === 'object' && 'eventId' in body && typeof body.eventId === 'string') eventId = body.eventId;
  } catch {
    // A body that is not JSON is moved as it is; the processor will refuse it again.
  }
  return { messageId: message.MessageId ?? '', groupId: message.Attributes?.MessageGroupId ?? '', eventId };
}
