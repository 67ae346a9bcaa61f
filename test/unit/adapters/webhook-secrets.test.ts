import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

// The adapter builds its client when asked for secrets, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { webhookSecretsFrom } = await import('../../../shared/adapters/webhook-secrets.js');

const secretsManager = mockClient(SecretsManagerClient);
const SECRET_ID = 'whatsapp-webhook';
const fromSecretsManager = { whatsappSecretId: SECRET_ID, whatsappAppSecret: undefined, whatsappVerifyToken: undefined };

beforeEach(() => {
  secretsManager.reset();
});

afterAll(() => {
  secretsManager.restore();
});

describe('webhookSecretsFrom, with a Secrets Manager secret', () => {
  it('reads the JSON secret once and keeps it for the next callbacks', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ appSecret: 'app-secret', verifyToken: 'verify-me' }) });
    const secrets = webhookSecretsFrom(fromSecretsManager);

    await expect(secrets()).resolves.toEqual({ appSecret: 'app-secret', verifyToken: 'verify-me' });
    await expect(secrets()).resolves.toEqual({ appSecret: 'app-secret', verifyToken: 'verify-me' });

    const calls = secretsManager.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ SecretId: SECRET_ID });
  });

  it('asks with a client whose calls are bounded like every other client of the functions', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ appSecret: '', verifyToken: 'verify-me' }) });

    await webhookSecretsFrom(fromSecretsManager)();

    const client = secretsManager.commandCalls(GetSecretValueCommand)[0]?.thisValue as SecretsManagerClient;
    await expect(client.config.maxAttempts()).resolves.toBe(3);
  });

  it('refuses a secret without a verify token', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ appSecret: 'app-secret' }) });

    await expect(webhookSecretsFrom(fromSecretsManager)()).rejects.toThrow(/verifyToken/);
  });

  it('lets a failure to read the secret reach the caller', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));

    await expect(webhookSecretsFrom(fromSecretsManager)()).rejects.toThrow(/AccessDeniedException/);
  });
});

describe('webhookSecretsFrom, locally', () => {
  it('uses the two values it is given, without Secrets Manager', async () => {
    const secrets = webhookSecretsFrom({ whatsappSecretId: undefined, whatsappAppSecret: 'local-secret', whatsappVerifyToken: 'local-token' });

    await expect(secrets()).resolves.toEqual({ appSecret: 'local-secret', verifyToken: 'local-token' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refuses to start without a secret id or both values', () => {
    expect(() => webhookSecretsFrom({ whatsappSecretId: undefined, whatsappAppSecret: 'local-secret', whatsappVerifyToken: undefined })).toThrow(
      /WHATSAPP_SECRET_ID/,
    );
  });
});
