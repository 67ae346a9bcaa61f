import { ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createProfile, http, stack, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';

const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });


async function statusOf(requestId: string): Promise<string> {
  return (await http('GET', `/requests/${requestId}`, { token: editorToken })).body.status;
}

/** Every audit entry of a number, following the cursor. */
async function fullHistory(phone: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
    const page = await http('GET', `/numbers/${phone.slice(1)}/history${query}`, { token: editorToken });
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describe('under load, with every message delivered twice', () => {
  it('accepts 200 concurrent requests over 10 numbers, settles them all, and audits each exactly once', async () => {
    // prepare
    const phones = Array.from({ length: 10 }, uniquePhone);
    const profileId = await createProfile(phones);

    // act
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        http('POST', `/profiles/${profileId}/whatsapp/${phones[index % 10]!.slice(1)}/${index % 3 === 0 ? 'unblock' : 'block'}`, {
          token: editorToken,
          body: { reason: `load ${index}` },
        }),
      ),
    );

    // assess
    expect(responses.map((response) => response.status)).toEqual(Array(200).fill(202));
    const requestIds = responses.map((response) => response.body.requestId as string);
    expect(new Set(requestIds).size).toBe(200);
    await eventually(
      async () => (await Promise.all(requestIds.map(statusOf))).filter((status) => status === 'pending').length,
      (pending) => pending === 0,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const statuses = await Promise.all(requestIds.map(statusOf));
    expect(statuses.every((status) => ['applied', 'unchanged', 'superseded'].includes(status))).toBe(true);
    const audited = (await Promise.all(phones.map(fullHistory))).flat() as { requestId: string }[];
    expect(audited.map((entry) => entry.requestId).sort()).toEqual([...requestIds].sort());
  }, 180_000);

  it('ends twenty sequential alternating requests on one number in the state of the last one', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const requestIds: string[] = [];
    for (let index = 0; index < 20; index++) {
      const action = index % 2 === 0 ? 'block' : 'unblock';
      const response = await http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/${action}`, { token: editorToken, body: { reason: `step ${index}` } });
      requestIds.push(response.body.requestId);
    }
    await eventually(() => statusOf(requestIds.at(-1)!), (status) => status !== 'pending');
    const view = await http('GET', `/profiles/${profileId}/whatsapp`, { token: editorToken });
    expect(view.body.numbers[0]).toMatchObject({ blocked: false, reason: 'step 19', pending: [] });
    expect(await fullHistory(phone)).toHaveLength(20);
  });

  it('moves a poison message to the dead-letter queue', async () => {
    const sqs = new SQSClient({ endpoint: stack.sqsEndpoint, useQueueUrlAsEndpoint: false });
    const marker = `poison-${Date.now()}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: stack.consentQueueUrl, MessageBody: marker, MessageGroupId: marker, MessageDeduplicationId: marker }));

    const found = await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
        return Messages.some((message) => message.Body === marker);
      },
      (present) => present,
      // Five deliveries a second apart at the least; the deadline bounds a loaded machine's test, not the service.
      { timeoutMs: 90_000 },
    );
    expect(found).toBe(true);
    sqs.destroy();
  }, 120_000);
});
