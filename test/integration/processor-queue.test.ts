import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';
import { queueDepth } from '../support/tables.js';
import { startQueuePoller, type QueuePoller } from '../../infra/local/queue-poller.js';

/*
 * The processor behind the same queue poller that the local stack uses (Lambda's event source mapping:
 * batches, partial failures, visibility timeout of one second, redrive after maxReceiveCount), with
 * every batch delivered twice.
 */
const resources = await provisionIsolatedResources({ visibilityTimeoutSeconds: 1 });
const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const { handler: processor } = await import('../../functions/processor/handler.js');

let poller: QueuePoller;
beforeAll(async () => {
  const { Attributes } = await resources.sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.consentQueueUrl, AttributeNames: ['QueueArn'] }));
  poller = startQueuePoller({
    sqs: resources.sqs,
    queueUrl: resources.consentQueueUrl,
    queueArn: Attributes?.['QueueArn'] ?? '',
    handler: processor,
    functionName: 'processor',
    duplicateDelivery: true,
    log: () => undefined,
  });
});
afterAll(() => poller.stop());

const settled = (status: string) => status !== 'pending';

describe('processor behind the queue', () => {
  it('moves a poison message to the dead-letter queue after maxReceiveCount deliveries, and fails its request', async () => {
    // prepare: an accepted request whose event a newer producer wrote (version 99), and plain garbage
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const event = { version: 99, requestId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', phone };
    const requestId = await api.request('block', profileId, phone);
    await resources.sqs.send(new SendMessageCommand({ QueueUrl: resources.consentQueueUrl, MessageBody: JSON.stringify({ ...event, requestId }), MessageGroupId: 'poison-a', MessageDeduplicationId: `poison-${requestId}` }));
    await resources.sqs.send(new SendMessageCommand({ QueueUrl: resources.consentQueueUrl, MessageBody: 'garbage', MessageGroupId: 'poison-b', MessageDeduplicationId: `garbage-${requestId}` }));

    // act & assess: both land in the DLQ; the real event was applied; the poison one's request is failed
    await eventually(() => queueDepth(resources.sqs, resources.deadLetterQueueUrl), (depth) => depth === 2, { timeoutMs: 30_000 });
    const { Messages = [] } = await resources.sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    expect(Messages.map((message) => message.Body).sort()).toEqual([JSON.stringify({ ...event, requestId }), 'garbage'].sort());
    // The request was applied by its real event first; a dead-lettered copy never overwrites an outcome.
    expect(await eventually(() => api.requestStatus(requestId), settled)).toBe('applied');
  });

  it('ends every sequence of block and unblock requests on a number in the state of the last one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('block' as const, 'unblock' as const), { minLength: 1, maxLength: 6 }), async (actions) => {
        // prepare
        const phone = uniquePhone();
        const profileId = await api.createProfile([phone]);

        // act
        const requestIds: string[] = [];
        for (const action of actions) requestIds.push(await api.request(action, profileId, phone));
        for (const requestId of requestIds) await eventually(() => api.requestStatus(requestId), settled);

        // assess
        const view = await api.view(profileId);
        expect(view.numbers[0]?.blocked).toBe(actions.at(-1) === 'block');
        expect(view.numbers[0]?.pending).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});
