import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import type { Requests } from './round.js';
import { EDITOR, REASON, targetOf } from './seed.js';

/** The consent-requests function's handler, as Lambda calls it. */
export type Handler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const ROUTE_KEY = 'POST /profiles/{profileId}/whatsapp/{phone}/block';

/** The handler, invoked as Lambda invokes it for API Gateway; anything but a 202 fails the run. */
export function handlerCaller(handler: Handler): Requests {
  const token = `eyJraWQiOiJiZW5jaCIsImFsZyI6IlJTMjU2In0.${'e'.repeat(900)}.${'s'.repeat(342)}`;
  const side = {
    calls: 0,
    prepare(index: number) {
      side.calls += 1;
      const { phone, profileId } = targetOf(index);
      const event = blockEvent(profileId, phone, randomUUID(), token);
      const context = lambdaContext('consentRequests');
      return async () => {
        const result = await handler(event, context);
        if (result.statusCode !== 202) {
          throw new Error(`The handler answered ${result.statusCode} for ${phone} on ${profileId}: ${String(result.body)}`);
        }
      };
    },
  };
  return side;
}

function blockEvent(profileId: string, phone: string, idempotencyKey: string, token: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  const body = JSON.stringify({ reason: REASON });
  const rawPath = `/profiles/${profileId}/whatsapp/${encodeURIComponent(phone)}/block`;
  const now = Date.now();
  const issuedAt = Math.floor(now / 1000) - 60;
  return {
    version: '2.0',
    routeKey: ROUTE_KEY,
    rawPath,
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      'accept-language': 'en-GB,en;q=0.9',
      authorization: `Bearer ${token}`,
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/json',
      host: 'abc123.execute-api.eu-central-1.amazonaws.com',
      'idempotency-key': idempotencyKey,
      origin: 'https://d111111abcdef8.cloudfront.net',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      'x-amzn-trace-id': `Root=1-${now.toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    pathParameters: { profileId, phone },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-central-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0' },
      requestId: randomUUID(),
      routeKey: ROUTE_KEY,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: {
          // A Cognito access token's claims as the HTTP API's JWT authorizer passes them: all strings.
          claims: {
            sub: EDITOR.sub,
            'cognito:groups': '[whatsapp-blocklist-editors]',
            iss: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Bench0001',
            client_id: '5b2bench0client0id000000000',
            origin_jti: randomUUID(),
            event_id: randomUUID(),
            token_use: 'access',
            scope: 'openid email',
            auth_time: String(issuedAt),
            exp: String(issuedAt + 3600),
            iat: String(issuedAt),
            jti: randomUUID(),
            username: EDITOR.username,
          },
          scopes: [],
        },
      },
    },
  };
}

/**
 * The function's log lines (Powertools writes the metrics of each invocation to standard output, as
 * CloudWatch reads them) are produced as in Lambda but not shown, so that the table stays readable and
 * the JSON line last.
 */
export function quietStdout() {
  const write = process.stdout.write.bind(process.stdout);
  const state = {
    swallowedLines: 0,
    quiet() {
      process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        state.swallowedLines += (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()).split('\n').length - 1;
        const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof process.stdout.write;
    },
    restore() {
      process.stdout.write = write as typeof process.stdout.write;
    },
  };
  return state;
}
