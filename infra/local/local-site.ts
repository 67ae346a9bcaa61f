import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import * as z from 'zod';
import { GROUPS } from '../../shared/domain/permissions.js';
import type { FaultCounts } from './fault-injection.js';
import { json } from '../../shared/http/responses.js';
import { gatewayProblem, readBody, send } from './api-gateway.js';
import { issueToken, TOKEN_LIFETIME_SECONDS } from './jwt-issuer.js';

/** Where the console is built to, and what the local stack serves at `/console/`. */
export const CONSOLE_PATH = '/console';
export const LOCAL_TOKEN_PATH = '/local/token';
export const LOCAL_FAULTS_PATH = '/local/faults';
export const LOCAL_RESOURCES_PATH = '/local/resources';

/** Where the local stack's change events arrive, for `npm run events`. */
export interface LocalResources {
  sqsEndpoint: string;
  changeEventsQueueUrl: string;
}

/** Builds the console (`web/`) with Vite into `web/dist`, and returns that directory. */
export async function buildConsole(projectRoot: string): Promise<string> {
  // Loaded on demand: only `npm start` builds, and the tests that import the stack's helpers need no Vite.
  const { build } = await import('vite');
  // Vite picks libraries' development builds unless NODE_ENV says production (jest sets it to `test`).
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: join(projectRoot, 'web', 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  return join(projectRoot, 'web', 'dist');
}

/**
 * The console's local config: the API on the same origin, and the local sign-in form in place of
 * Cognito's managed login, offering the groups that grant permissions.
 */
const localConfig = {
  apiUrl: '',
  auth: { kind: 'local', tokenUrl: LOCAL_TOKEN_PATH, groups: Object.values(GROUPS) },
};

/**
 * The headers CloudFront adds in AWS, with the API on the console's own origin; serving them locally
 * means a page that breaks the content security policy breaks in the browser tests too.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; " +
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const tokenRequest = z.strictObject({
  user: z.string().trim().min(1).max(64).regex(/^[\p{L}\p{N}._@+-]+$/u, 'may hold letters, digits and . _ @ + - only'),
  groups: z.array(z.enum(Object.values(GROUPS))).max(Object.values(GROUPS).length).default([]),
});

const MAX_TOKEN_REQUEST_BYTES = 4096;

/**
 * What the local stack serves besides the API, none of which exists in AWS: the built console under
 * `/console/` (any path without a file falls back to `index.html`, so deep links survive a reload), the
 * token endpoint behind its sign-in form, `GET /local/faults` (what `LOCAL_FAULT_RATE` injected), and
 * `GET /local/resources` (where the change events arrive).
 * Resolves to `false` for requests that are not its own, which the local API gateway then serves.
 */
export function localSite(options: {
  consoleDirectory: string | undefined;
  keyFile: string;
  faults: () => FaultCounts | undefined;
  resources?: LocalResources;
}) {
  const files = options.consoleDirectory ? consoleFiles(options.consoleDirectory) : undefined;

  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === LOCAL_TOKEN_PATH) {
      await issueLocalToken(request, response, options.keyFile);
      return true;
    }
    if (path === LOCAL_FAULTS_PATH && request.method === 'GET') {
      send(response, json(200, options.faults() ?? { calls: 0, before: 0, after: 0, delay: 0 }));
      return true;
    }
    if (path === LOCAL_RESOURCES_PATH && request.method === 'GET' && options.resources) {
      send(response, json(200, options.resources));
      return true;
    }
    if (!files) return false;
    return files(request, response, path);
  };
}

function consoleFiles(directory: string) {
  const files = sirv(directory, {
    single: true,
    // Read from disk on every request: a rebuild (`npm run build:console`, `cdk synth`) is served at once.
    dev: true,
    etag: true,
    setHeaders: (response, pathname) => {
      // Vite fingerprints everything under assets/; index.html must be revalidated to pick up a new build.
      response.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  return (request: IncomingMessage, response: ServerResponse, path: string): boolean => {
    if (path === '/' || path === CONSOLE_PATH) {
      response.writeHead(302, { location: `${CONSOLE_PATH}/` }).end();
      return true;
    }
    if (!path.startsWith(`${CONSOLE_PATH}/`)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, gatewayProblem(405, 'Method Not Allowed', 'The console is read-only.'));
      return true;
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (path === `${CONSOLE_PATH}/config.json`) {
      response.setHeader('cache-control', 'no-store');
      send(response, json(200, localConfig));
      return true;
    }
    request.url = (request.url ?? '/').slice(CONSOLE_PATH.length);
    files(request, response, () => send(response, gatewayProblem(404, 'Not Found', 'No such file in the console.')));
    return true;
  };
}

async function issueLocalToken(request: IncomingMessage, response: ServerResponse, keyFile: string): Promise<void> {
  if (request.method !== 'POST') return send(response, gatewayProblem(405, 'Method Not Allowed', 'POST a user name and groups.'));
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    return send(response, gatewayProblem(415, 'Unsupported Media Type', 'The body must be application/json.'));
  }
  const raw = await readBody(request, MAX_TOKEN_REQUEST_BYTES);
  if (raw === 'too-large') return send(response, gatewayProblem(413, 'Payload Too Large', 'The body is too large.'));
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return send(response, gatewayProblem(400, 'Bad Request', 'The body is not JSON.'));
  }
  const parsed = tokenRequest.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message }));
    return send(response, gatewayProblem(400, 'Bad Request', `The sign-in is not valid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}.`, { errors }));
  }
  const token = await issueToken(keyFile, { user: parsed.data.user, groups: parsed.data.groups });
  send(response, { ...json(200, { access_token: token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS }), headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}
