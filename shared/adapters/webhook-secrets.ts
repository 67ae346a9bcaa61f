import * as z from 'zod/mini';
import { onFirstUse } from '../domain/on-first-use.js';
import { SECRET_CACHE_SECONDS, secretsProvider } from './secrets-provider.js';

/** An empty `appSecret` is a deployment whose operator has not stored Meta's app secret yet. */
const webhookSecretsSchema = onFirstUse(() => z.object({ appSecret: z.string(), verifyToken: z.string().check(z.minLength(1)) }));

/** Meta's app secret, which signs callbacks, and the token of the subscription handshake. */
export type WebhookSecrets = z.infer<ReturnType<typeof webhookSecretsSchema>>;

/**
 * Where the webhook's secrets come from: in AWS, a Secrets Manager secret whose JSON value is
 * `{ "appSecret": "…", "verifyToken": "…" }`, cached for five minutes; locally, where there is no
 * Secrets Manager, the two values themselves. Neither ever appears in a template.
 */
export function webhookSecretsFrom(config: {
  whatsappSecretId: string | undefined;
  whatsappAppSecret: string | undefined;
  whatsappVerifyToken: string | undefined;
}): () => Promise<WebhookSecrets> {
  const { whatsappSecretId, whatsappAppSecret, whatsappVerifyToken } = config;
  if (whatsappSecretId) {
    // A Secrets Manager that hangs fails the callback, which Meta delivers again.
    const provider = secretsProvider();
    return async () => webhookSecretsSchema().parse(await provider.get(whatsappSecretId, { transform: 'json', maxAge: SECRET_CACHE_SECONDS }));
  }
  if (whatsappAppSecret && whatsappVerifyToken) {
    const secrets = { appSecret: whatsappAppSecret, verifyToken: whatsappVerifyToken };
    return async () => secrets;
  }
  throw new Error('Invalid configuration: set WHATSAPP_SECRET_ID, or both WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN');
}
