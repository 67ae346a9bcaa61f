import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.js';

export interface TestCaller {
  sub?: string;
  username?: string;
  groups?: string[];
  scopes?: string[];
}

export const editor: TestCaller = { sub: 'sub-editor', username: 'erin', groups: ['whatsapp-blocklist-editors'] };
export const profileAdmin: TestCaller = { sub: 'sub-admin', username: 'adam', groups: ['profile-admins'] };
export const reader: TestCaller = { sub: 'sub-reader', username: 'rita' };

export interface GatewayEventOptions {
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The verified claims; `null` leaves the authorizer out, as for a route deployed without it. */
  claims: Record<string, string | string[]> | null;
}

/** An HTTP API (payload 2.0) event as API Gateway hands it to a function, with the claims given. */
export function gatewayEvent(routeKey: string, options: GatewayEventOptions): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const { claims } = options;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: options.headers ?? {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'test',
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      // The authorizer's type says it is always there; a route deployed without it has none.
      authorizer: (claims === null
        ? undefined
        : { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } }) as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'],
    },
  };
}

/**
 * An event from a caller, with claims as API Gateway's JWT authorizer passes them: every claim a string,
 * `cognito:groups` as `"[a b]"`. `caller: null` leaves the claims out.
 */
export function apiEvent(
  routeKey: string,
  {
    pathParameters,
    body,
    headers = {},
    query,
    caller = reader,
  }: {
    pathParameters?: Record<string, string>;
    body?: unknown;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    caller?: TestCaller | null;
  } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  return gatewayEvent(routeKey, {
    ...(pathParameters ? { pathParameters } : {}),
    ...(query ? { query } : {}),
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    headers: { 'content-type': 'application/json', ...headers },
    claims: caller
      ? {
          token_use: 'access',
          sub: caller.sub ?? 'sub-test',
          username: caller.username ?? 'tester',
          'cognito:groups': `[${(caller.groups ?? []).join(' ')}]`,
          scope: (caller.scopes ?? []).join(' '),
        }
      : null,
  });
}

/**
 * Any API handler: middy handlers take an extra options argument and a context with the caller, so the
 * parameters are typed loosely here and the arguments are supplied by `invoke`.
 */
export type ApiHandler = (event: never, context: never, options: never) => Promise<APIGatewayProxyStructuredResultV2>;

/** Invokes a handler and returns its status, content type and body (parsed when it is JSON). */
export async function invoke(handler: ApiHandler, event: APIGatewayProxyEventV2WithJWTAuthorizer) {
  const call = handler as unknown as (event: unknown, context: unknown, options: { signal: AbortSignal }) => Promise<APIGatewayProxyStructuredResultV2>;
  const result = await call(event, lambdaContext('test'), { signal: new AbortController().signal });
  const contentType = String(result.headers?.['content-type'] ?? '');
  return {
    status: result.statusCode,
    contentType,
    headers: result.headers ?? {},
    body: result.body && contentType.includes('json') ? (JSON.parse(result.body) as any) : result.body,
  };
}
