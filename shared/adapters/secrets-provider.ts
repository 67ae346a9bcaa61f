import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BOUNDED_CALLS } from './bounded-calls.js';

/** Secrets are read again after this long, so that a rotated secret takes effect without a redeploy. */
export const SECRET_CACHE_SECONDS = 300;

/**
 * Powertools' reader of Secrets Manager secrets, with a client of our own rather than its default one:
 * bounded like every other call, so that a Secrets Manager that hangs fails the call that needs the
 * secret instead of holding the function until its timeout.
 */
export function secretsProvider(): SecretsProvider {
  return new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(BOUNDED_CALLS) });
}
