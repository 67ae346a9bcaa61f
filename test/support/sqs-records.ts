import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** An SQS record as Lambda's event source mapping delivers it. */
export function sqsRecord(body: string, { groupId = 'group', messageId = String(randomUUID()), receiveCount = 1 }: { groupId?: string; messageId?: string; receiveCount?: number } = {}): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: groupId,
      MessageDeduplicationId: messageId,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test.fifo',
    awsRegion: 'us-east-1',
  };
}

export const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/**
 * Takes `count` messages off a FIFO queue, deleting each once read. A FIFO queue hands out the next
 * message of a group only after the previous one is deleted, so they are read one round at a time.
 */
export async function takeMessages(sqs: SQSClient, queueUrl: string, count: number): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  const deadline = Date.now() + 10_000;
  while (records.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${records.length} of ${count} messages arrived`);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
    );
    for (const message of Messages) {
      records.push({
        ...sqsRecord(message.Body ?? '', { groupId: message.Attributes?.['MessageGroupId'] ?? 'group', messageId: message.MessageId ?? String(randomUUID()) }),
      });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return records;
}
