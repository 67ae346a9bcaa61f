import { defaultKeyFile, issueToken, type TokenRequest } from '../../infra/local/jwt-issuer.js';
import { LOCAL_WHATSAPP_APP_SECRET, PROJECT_ROOT } from '../../infra/local/stack.js';
import { signatureOf } from './whatsapp-callbacks.js';

/** The local stack that the e2e global setup started. */
export const stack = JSON.parse(process.env['E2E_STACK'] ?? '{}') as {
  url: string;
  sqsEndpoint: string;
  dynamoDbEndpoint: string;
  consentQueueUrl: string;
  deadLetterQueueUrl: string;
  consentTableName: string;
  auditTableName: string;
  /** `process.version` of the stack's own process. */
  nodeVersion: string;
};

export const tokenFor = (request: TokenRequest) => issueToken(defaultKeyFile(PROJECT_ROOT), request);

export interface HttpResponse {
  status: number;
  contentType: string;
  body: any;
}

/** One HTTP call to the local stack; JSON bodies are serialised, strings sent as they are. */
export async function http(
  method: string,
  path: string,
  { token, body, headers = {}, baseUrl = stack.url }: { token?: string; body?: unknown; headers?: Record<string, string>; baseUrl?: string } = {},
): Promise<HttpResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, contentType, body: contentType.includes('json') && text ? JSON.parse(text) : text };
}

/** Creates a profile holding the numbers, as a profile admin, and returns its id. */
export async function createProfile(numbers: string[], prefix = 'e2e', baseUrl = stack.url): Promise<string> {
  const profileId = `${prefix}-${Math.random().toString(36).slice(2)}`;
  const response = await http('PUT', `/profiles/${profileId}`, {
    token: await tokenFor({ user: 'adam', groups: ['profile-admins'] }),
    body: { whatsappNumbers: numbers },
    baseUrl,
  });
  if (response.status !== 200) throw new Error(`profile not created: ${JSON.stringify(response.body)}`);
  return profileId;
}

/**
 * Posts a callback body to the local stack's webhook as Meta would: signed with the local app secret, or
 * with the `signature` given (`null`: no header at all).
 */
export function postWebhook(
  body: string,
  signature: string | null = signatureOf(body, LOCAL_WHATSAPP_APP_SECRET),
  baseUrl = stack.url,
): Promise<HttpResponse> {
  return http('POST', '/webhooks/whatsapp', {
    body,
    baseUrl,
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
  });
}
