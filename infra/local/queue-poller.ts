import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  functionName: string;
  /** Records per invocation, as the event source mapping's batch size. @default 10 */
  batchSize?: number;
  /** Parallel pollers, as the mapping's maximum concurrency. @default 2 */
  concurrency?: number;
  /**
   * Hands every batch to the function a second time, as SQS's at-least-once delivery may: the local
   * emulator never duplicates by itself, and the processor must shrug off repeats. @default false
   */
  duplicateDelivery?: boolean;
  log: (line: string) => void;
}

export interface QueuePoller {
  stop(): Promise<void>;
}

/**
 * Plays Lambda's SQS event source mapping: long-polls the queue, invokes the function with real SQS
 * batches, deletes the records it reports as processed, and leaves failed records to reappear after the
 * visibility timeout and, after `maxReceiveCount` deliveries, to be moved to the dead-letter queue by
 * the queue's redrive policy.
 */
export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  let running = true;
  const abort = new AbortController();
  const loops = Array.from({ length: options.concurrency ?? 2 }, () => pollLoop());

  async function pollLoop(): Promise<void> {
    while (running) {
      try {
        const { Messages } = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        if (Messages && Messages.length > 0) await deliver(Messages);
      } catch (error) {
        if (!running) return;
        options.log(`poller error: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async function deliver(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, options)) };
    const failed = await invoke(event);
    if (options.duplicateDelivery) await invoke(event);
    const done = messages.filter((message) => message.MessageId && !failed.has(message.MessageId));
    if (done.length > 0) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    options.log(`${options.functionName}: ${messages.length} records, ${failed.size} failed`);
  }

  /** The ids the function reported as failed; a thrown error fails the whole batch, as in Lambda. */
  async function invoke(event: SQSEvent): Promise<Set<string>> {
    try {
      const response = await options.handler(event, lambdaContext(options.functionName));
      return new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      options.log(`${options.functionName}: invocation failed: ${(error as Error).message}`);
      return new Set(event.Records.map((record) => record.messageId));
    }
  }

  return {
    async stop() {
      running = false;
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}

function toRecord(message: Message, options: QueuePollerOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: attributes['SentTimestamp'] ?? String(Date.now()),
      SenderId: attributes['SenderId'] ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attributes['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
      ...(attributes['SequenceNumber'] ? { SequenceNumber: attributes['SequenceNumber'] } : {}),
      ...(attributes['MessageGroupId'] ? { MessageGroupId: attributes['MessageGroupId'] } : {}),
      ...(attributes['MessageDeduplicationId'] ? { MessageDeduplicationId: attributes['MessageDeduplicationId'] } : {}),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: 'us-east-1',
  };
}
