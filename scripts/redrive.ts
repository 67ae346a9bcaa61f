import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { peekDeadLetters, redriveDeadLetters } from '../shared/adapters/dead-letter-redrive.js';

/**
 * `npm run redrive -- --queue-url <ConsentQueueUrl> --dlq-url <DeadLetterQueueUrl> [--max N] [--dry-run]`
 *
 * Moves consent events from the dead-letter queue back to the consent queue, once whatever made them
 * fail is fixed. Their requests, marked `failed` when they went to the DLQ, get their real outcome when
 * the processor applies them. The URLs are the stack's outputs; credentials and region come from the
 * usual AWS settings (`AWS_PROFILE`, `AWS_REGION`, or `AWS_ENDPOINT_URL` for LocalStack).
 */
const { values } = parseArgs({
  options: {
    'queue-url': { type: 'string' },
    'dlq-url': { type: 'string' },
    max: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const queueUrl = values['queue-url'];
const deadLetterQueueUrl = values['dlq-url'];
const max = values.max === undefined ? undefined : Number(values.max);
if (!queueUrl || !deadLetterQueueUrl || (max !== undefined && !(Number.isInteger(max) && max > 0))) {
  console.error('Usage: npm run redrive -- --queue-url <ConsentQueueUrl> --dlq-url <DeadLetterQueueUrl> [--max N] [--dry-run]');
  process.exit(2);
}

const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
if (values['dry-run']) {
  const { depth, first } = await peekDeadLetters(sqs, deadLetterQueueUrl);
  console.log(`${depth} messages in the dead-letter queue; the first ones a redrive would move:`);
  for (const message of first) console.log(`  ${message.messageId}  number ${message.groupId}  event ${message.eventId ?? '(unreadable body)'}`);
} else {
  const moved = await redriveDeadLetters({ sqs, deadLetterQueueUrl, queueUrl, ...(max === undefined ? {} : { max }) });
  for (const message of moved) console.log(`moved ${message.messageId}  number ${message.groupId}  event ${message.eventId ?? '(unreadable body)'}`);
  console.log(`${moved.length} messages moved back to the consent queue.`);
}
sqs.destroy();
