import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OTHER_PHONE, PHONE } from '../support/samples.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { DynamoConsentStateStore } = await import('../../../shared/adapters/consent-state-store.js');

const dynamoDb = mockClient(DynamoDBDocumentClient);
const store = new DynamoConsentStateStore('consent-table');
const stateItem = (phone: string) => ({ pk: `PHONE#${phone}`, sk: 'STATE', phone, blocked: true, source: 'manual', reason: 'r', version: 1, lastSeq: 1 });

afterEach(() => dynamoDb.reset());

describe('DynamoConsentStateStore.getMany', () => {
  it('reads keys that DynamoDB left unprocessed again, until every state is read', async () => {
    // prepare: the first read leaves one key unprocessed
    dynamoDb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { 'consent-table': [stateItem(PHONE)] }, UnprocessedKeys: { 'consent-table': { Keys: [{ pk: `PHONE#${OTHER_PHONE}`, sk: 'STATE' }] } } })
      .resolvesOnce({ Responses: { 'consent-table': [stateItem(OTHER_PHONE)] } });

    // act
    const states = await store.getMany([PHONE, OTHER_PHONE]);

    // assess
    expect([...states.keys()].sort()).toEqual([PHONE, OTHER_PHONE].sort());
    const calls = dynamoDb.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.RequestItems?.['consent-table']?.Keys).toEqual([{ pk: `PHONE#${OTHER_PHONE}`, sk: 'STATE' }]);
  });

  it('fails loudly when unprocessed keys never drain, instead of returning a partial answer', async () => {
    dynamoDb.on(BatchGetCommand).resolves({ UnprocessedKeys: { 'consent-table': { Keys: [{ pk: `PHONE#${PHONE}`, sk: 'STATE' }] } } });

    await expect(store.getMany([PHONE])).rejects.toThrow('1 items stayed unprocessed after 5 reads');
    expect(dynamoDb.commandCalls(BatchGetCommand)).toHaveLength(5);
  });
});
