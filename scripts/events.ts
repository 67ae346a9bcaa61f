/**
 * `npm run events`: prints the local stack's change events as they come, one JSON line each (the
 * EventBridge event's `source`, `detail-type`, `time` and `detail`), and takes them off the queue.
 *
 *   npm run events [-- --api http://127.0.0.1:3000] [--once]
 *
 * The stack's URL may also come from `API_URL`, as for the other tools (`--url` is the older name).
 *
 * `--once` stops when the queue has nothing more for a few seconds. Only the local stack has such a
 * queue; in AWS, consumers read the rule's queue (the stack's `ChangeEventsQueueUrl` output).
 */
import { parseArgs } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_RESOURCES_PATH, type LocalResources } from '../infra/local/local-site.js';
import { serviceUrl } from './service-options.js';

const { values: options } = parseArgs({
  options: { api: { type: 'string' }, url: { type: 'string' }, once: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});
if (options.help) {
  console.log('usage: npm run events [-- --api http://127.0.0.1:3000] [--once]   (or API_URL)');
  process.exit(0);
}
const values = { ...options, url: serviceUrl(options) };

const response = await fetch(new URL(LOCAL_RESOURCES_PATH, values.url)).catch((error: unknown) => {
  console.error(`The local stack at ${values.url} does not answer (${(error as Error).message}); start it with npm start.`);
  process.exit(1);
});
if (!response.ok) {
  console.error(`${values.url} is no local stack (${response.status} on ${LOCAL_RESOURCES_PATH}).`);
  process.exit(1);
}
const resources = (await response.json()) as LocalResources;
const sqs = new SQSClient({
  endpoint: resources.sqsEndpoint,
  region: process.env['AWS_REGION'] ?? 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  useQueueUrlAsEndpoint: false,
});

let stopping = false;
process.on('SIGINT', () => (stopping = true));
let idleRounds = 0;
while (!stopping && !(values.once && idleRounds >= 3)) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: resources.changeEventsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  idleRounds = Messages.length === 0 ? idleRounds + 1 : 0;
  for (const message of Messages) console.log(message.Body);
  if (Messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: resources.changeEventsQueueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}
sqs.destroy();
