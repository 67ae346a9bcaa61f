import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RouteDefinition } from '../resources.js';
import { lambdaContext } from './lambda-context.js';
import { isLoopbackHost } from './loopback-host.js';

export type HttpHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalApiOptions {
  port: number;
  routes: RouteDefinition[];
  handlers: Record<RouteDefinition['function'], HttpHandler>;
  verifyToken: (token: string) => Promise<Record<string, unknown>>;
  /** Serves what is not the API (the console); resolves to `false` for requests it leaves to the routes. */
  site?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  log: (line: string) => void;
}

/** API Gateway's own payload limit for HTTP APIs; the functions apply the contract's smaller limits. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  parameterNames: string[];
}

/**
 * Plays API Gateway (HTTP API, payload format 2.0) for the local stack: matches the request against the
 * same route table the CDK stack deploys, verifies the bearer token on JWT routes, and hands the
 * function an event shaped as API Gateway builds it, claims included.
 */
export function startLocalApi(options: LocalApiOptions): Promise<Server> {
  const compiled = options.routes.map(compileRoute);
  const server = createServer((request, response) => {
    const started = performance.now();
    serve(request, response, compiled, options)
      .catch(() => send(response, gatewayProblem(500, 'Internal Server Error', 'The local gateway failed.')))
      .finally(() => {
        options.log(`${request.method} ${request.url} ${response.statusCode} ${(performance.now() - started).toFixed(0)}ms`);
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve(server));
  });
}

async function serve(request: IncomingMessage, response: ServerResponse, routes: CompiledRoute[], options: LocalApiOptions): Promise<void> {
  // Listening on loopback keeps the network out, not a browser: a page whose name is pointed at
  // 127.0.0.1 would be same-origin with the stack, and could take a token from /local/token.
  if (!isLoopbackHost(request.headers.host)) {
    return send(response, gatewayProblem(421, 'Misdirected Request', 'The local stack answers only requests addressed to localhost, 127.0.0.1 or [::1].'));
  }
  if (options.site && (await options.site(request, response))) return;
  await handle(request, response, routes, options);
}

async function handle(request: IncomingMessage, response: ServerResponse, routes: CompiledRoute[], options: LocalApiOptions): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  let rawPath: string;
  try {
    rawPath = decodeURIComponent(url.pathname);
  } catch {
    return send(response, gatewayProblem(400, 'Bad Request', 'The path is not valid percent-encoding.'));
  }
  const match = matchRoute(routes, request.method ?? 'GET', rawPath);
  if (!match) return send(response, gatewayProblem(404, 'Not Found', `No route for ${request.method} ${url.pathname}.`));

  let claims: Record<string, string> | undefined;
  if (match.route.authorization === 'jwt') {
    claims = await authorizerClaims(request.headers.authorization, options.verifyToken);
    if (!claims) {
      response.setHeader('www-authenticate', 'Bearer');
      return send(response, gatewayProblem(401, 'Unauthorized', 'A valid bearer token is required.'));
    }
  }

  const body = await readBody(request, GATEWAY_MAX_BODY_BYTES);
  if (body === 'too-large') return send(response, gatewayProblem(413, 'Payload too large', 'The body exceeds the gateway limit.'));

  const routeKey = `${match.route.method} ${match.route.path}`;
  const event = toEvent(request, url, rawPath, routeKey, match.pathParameters, body, claims);
  const handler = options.handlers[match.route.function];
  const result = await handler(event, lambdaContext(match.route.function));
  send(response, result);
}

function compileRoute(route: RouteDefinition): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
}

function matchRoute(routes: CompiledRoute[], method: string, path: string) {
  for (const { route, pattern, parameterNames } of routes) {
    if (route.method !== method) continue;
    const found = pattern.exec(path);
    if (!found) continue;
    const pathParameters = Object.fromEntries(parameterNames.map((name, index) => [name, found[index + 1] ?? '']));
    return { route, pathParameters };
  }
  return undefined;
}

/**
 * API Gateway passes every claim as a string, and arrays as `"[a b]"`: the functions must cope with that
 * form, so the local stack produces it too.
 */
async function authorizerClaims(authorization: string | undefined, verify: LocalApiOptions['verifyToken']): Promise<Record<string, string> | undefined> {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const payload = await verify(token);
    return Object.fromEntries(
      Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
    );
  } catch {
    return undefined;
  }
}

/** The request's body, or `too-large` as soon as it passes `maxBytes` (the rest is not read). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const TEXTUAL = /^(application\/(.*\+)?json|text\/|application\/x-www-form-urlencoded|application\/xml)/i;

function toEvent(
  request: IncomingMessage,
  url: URL,
  rawPath: string,
  routeKey: string,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const textual = TEXTUAL.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: claims?.['sub'] ?? '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** A problem+json answer of the local stack's own (the functions write theirs themselves). */
export function gatewayProblem(status: number, title: string, detail: string, more: Record<string, unknown> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type: 'about:blank', title, status, detail, ...more }),
  };
}

/** Writes a function-style result (status, headers, body) to the HTTP response. */
export function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  if (response.headersSent) return;
  response.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
  const body = result.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  response.end(body);
}
