import { gatewayEvent, invoke, type ApiHandler } from './api-events.js';
import { signatureOf } from './whatsapp-callbacks.js';

/** The app secret the integration suites give the webhook (`WHATSAPP_APP_SECRET`). */
export const INTEGRATION_APP_SECRET = 'integration-app-secret';

/**
 * Posts a callback body to the webhook's handler as API Gateway would: signed with the integration
 * secret, or with the `signature` given (`null`: no header at all).
 */
export function postCallback(handler: ApiHandler, body: string, signature: string | null = signatureOf(body, INTEGRATION_APP_SECRET)) {
  return invoke(
    handler,
    gatewayEvent('POST /webhooks/whatsapp', {
      body,
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
      claims: null,
    }),
  );
}
