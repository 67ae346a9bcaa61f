import type { Context } from 'aws-lambda';
import type { Caller } from '../../../shared/domain/caller.js';
import type { ConsentEvent } from '../../../shared/domain/consent-event.js';
import { normalisePhone, type E164 } from '../../../shared/domain/phone.js';
import type { HttpContext, HttpEvent } from '../../../shared/http/types.js';

/** An E.164 number made the only way production code makes one; throws on a typo in a test. */
export function e164(text: string): E164 {
  const result = normalisePhone(text);
  if (!result.ok) throw new Error(`test sample ${text} is not a valid number: ${result.reason}`);
  return result.phone;
}

export const PHONE = e164('+420777123456');
export const OTHER_PHONE = e164('+420777123457');

export function callerWith(overrides: Partial<Caller> = {}): Caller {
  return {
    sub: 'sub-erin',
    username: 'erin',
    groups: new Set(['whatsapp-blocklist-editors']),
    scopes: new Set(),
    ...overrides,
  };
}

/** A valid version-1 manual event; `overrides` may break it on purpose. */
export function sampleEvent(overrides: Partial<ConsentEvent> = {}): ConsentEvent {
  return {
    version: 1,
    eventId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    source: 'manual',
    action: 'block',
    phone: PHONE,
    profileId: 'profile-1',
    reason: 'asked by phone',
    actor: { type: 'user', sub: 'sub-erin', username: 'erin' },
    requestedAt: '2025-01-02T03:04:05.000Z',
    sequence: 1,
    ...overrides,
  };
}

/**
 * An HTTP API (payload 2.0) event as API Gateway hands it over after the JWT authorizer. `claims: null`
 * leaves the authorizer out, as for a route deployed without it.
 */
export function httpEvent(
  options: {
    routeKey?: string;
    body?: string;
    isBase64Encoded?: boolean;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    claims?: Record<string, string | string[]> | null;
  } = {},
): HttpEvent {
  const routeKey = options.routeKey ?? 'GET /test';
  const claims = options.claims === undefined ? { sub: 'sub-erin', username: 'erin' } : options.claims;
  return {
    version: '2.0',
    routeKey,
    rawPath: '/test',
    rawQueryString: '',
    headers: options.headers ?? {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'unit',
      domainName: 'unit.example',
      domainPrefix: 'unit',
      http: { method: 'GET', path: '/test', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: '02/Jan/2025:03:04:05 +0000',
      timeEpoch: 1735787045000,
      // The authorizer's type says it is always there; a route deployed without it has none.
      authorizer: (claims === null
        ? undefined
        : { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } }) as HttpEvent['requestContext']['authorizer'],
    },
  };
}

/** A Lambda context; `caller` is what `authenticate` fills in, so it starts out missing. */
export function lambdaContext(): HttpContext {
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'unit',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:unit',
    memoryLimitInMB: '128',
    awsRequestId: 'aws-request-1',
    logGroupName: '/aws/lambda/unit',
    logStreamName: 'unit',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  return context as HttpContext;
}
