import { createHmac } from 'node:crypto';

/** Our business number as Meta names it in a callback's `metadata`. */
export interface CallbackSender {
  phoneNumberId: string;
  displayPhoneNumber: string;
}

/**
 * A WhatsApp Business Account callback carrying delivery statuses, in the envelope Meta sends, for the
 * benchmarks and the load run (the tests build theirs from the provider's own payloads).
 */
export function statusCallback(sender: CallbackSender, statuses: readonly Record<string, unknown>[], contacts?: readonly { wa_id: string }[]): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1202578251418504',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: sender.displayPhoneNumber, phone_number_id: sender.phoneNumberId },
              ...(contacts ? { contacts } : {}),
              statuses,
            },
          },
        ],
      },
    ],
  });
}

/** `X-Hub-Signature-256` of a body: Meta's HMAC-SHA256 with the app secret. */
export function signatureOf(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}
