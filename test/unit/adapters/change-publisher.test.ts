import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../../shared/config.js';
import { lambdaContext } from '../../../infra/local/lambda-context.js';

process.env[ENV.changeEventsBusName] = 'consent-changes';
const eventBridge = mockClient(EventBridgeClient);
const { handler } = await import('../../../functions/change-publisher/handler.js');

function insert(sequence: number, outcome = 'applied'): DynamoDBRecord {
  const entry = {
    eventId: `e-${sequence}`,
    phone: '+420777123456',
    outcome,
    reason: 'r',
    actor: { type: 'user', sub: 's', username: 'erin' },
    appliedAt: '2026-01-01T00:00:00.000Z',
    after: { blocked: true, source: 'manual', marketingOptOut: null, version: sequence },
  };
  return { eventName: 'INSERT', dynamodb: { SequenceNumber: String(sequence), NewImage: marshall(entry) as never } };
}

const publish = (records: DynamoDBRecord[]) => (handler as unknown as (event: unknown, context: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>)({ Records: records }, lambdaContext('changePublisher'));

beforeEach(() => eventBridge.reset());
afterAll(() => eventBridge.restore());

describe('the change publisher', () => {
  it('puts applied changes on the bus in stream order, ten per call, and skips the rest', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const records = [...Array.from({ length: 12 }, (_, index) => insert(index + 1)), insert(13, 'unchanged')];

    expect(await publish(records)).toEqual({ batchItemFailures: [] });

    const calls = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(calls.map((entries) => entries.length)).toEqual([10, 2]);
    expect(calls.flat().map((entry) => JSON.parse(entry.Detail ?? '{}').eventId)).toEqual(Array.from({ length: 12 }, (_, index) => `e-${index + 1}`));
    expect(calls[0]?.[0]).toMatchObject({ EventBusName: 'consent-changes', Source: 'whatsapp-consent', DetailType: 'WhatsApp Consent Changed' });
  });

  it('reports the first record of a chunk the bus refused, so that Lambda retries from there', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: [] })
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });

    const result = await publish(Array.from({ length: 15 }, (_, index) => insert(index + 1)));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }] });
  });

  it('reports the first record when the bus cannot be reached at all', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('timeout'));

    expect(await publish([insert(1), insert(2)])).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
  });
});
