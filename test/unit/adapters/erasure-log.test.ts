import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockedDocumentClient } from '../support/dynamodb-mock.js';
import { PHONE } from '../support/samples.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { DynamoErasureLog, erasureLogKeyFrom, numberHash } = await import('../../../shared/adapters/personal-data/erasure-log.js');

const secretsManager = mockClient(SecretsManagerClient);
const dynamoDb = mockedDocumentClient();
const KEY = 'k'.repeat(64);

beforeEach(() => secretsManager.reset());
afterAll(() => secretsManager.restore());

describe('erasureLogKeyFrom', () => {
  it('reads the key from a Secrets Manager secret once, as plain text', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    const key = erasureLogKeyFrom({ erasureLogSecretId: 'erasure-log-key', erasureLogKey: undefined });

    await expect(key()).resolves.toBe(KEY);
    await expect(key()).resolves.toBe(KEY);

    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: 'erasure-log-key' }]);
  });

  it('takes the local key, and refuses a key too short to hide a number, or none', async () => {
    await expect(erasureLogKeyFrom({ erasureLogSecretId: undefined, erasureLogKey: KEY })()).resolves.toBe(KEY);
    expect(() => erasureLogKeyFrom({ erasureLogSecretId: undefined, erasureLogKey: 'short' })).toThrow(/32 characters/);
    expect(() => erasureLogKeyFrom({ erasureLogSecretId: undefined, erasureLogKey: undefined })).toThrow(/ERASURE_LOG_SECRET_ID/);
  });
});

describe('the erasure log', () => {
  it('keys an erasure by the HMAC-SHA256 of the number under the log key, and keeps no number', async () => {
    dynamoDb.on(PutCommand).resolves({});
    const log = new DynamoErasureLog('audit-table', async () => KEY);

    await log.record({
      erasureId: 'erasure-1',
      erasedAt: '2026-01-01T00:00:00.000Z',
      erasedBy: { type: 'user', sub: 'sub-petra', username: 'petra' },
      reason: 'Asked to be forgotten',
      phone: PHONE,
      deleted: { historyEntries: 3, profiles: 1, pairings: 0, requests: 2, held: 0, unresolved: 0, importRows: 0 },
      suppressionKept: true,
    });

    const put = dynamoDb.commandCalls(PutCommand)[0]?.args[0].input;
    const hash = numberHash(PHONE, KEY);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(put).toMatchObject({
      TableName: 'audit-table',
      Item: { pk: `ERASURE#${hash}`, sk: '2026-01-01T00:00:00.000Z#erasure-1', numberHash: hash, reason: 'Asked to be forgotten', suppressionKept: true },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(JSON.stringify(put)).not.toContain(PHONE.slice(1));
    expect(numberHash(PHONE, 'x'.repeat(64))).not.toBe(hash);
  });
});
