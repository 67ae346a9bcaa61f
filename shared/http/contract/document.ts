import * as z from 'zod';
import { can, type Permission } from '../../domain/permissions.js';
import { GatewayMessage, Problem, responseComponents } from './responses.js';
import type { ApiRoute, HttpMethod, ProblemStatus, SignatureScheme, SuccessResponse } from './routes.js';
import { TAGS } from './routes.js';

/**
 * Turns the route registry (`./routes.ts`) into an OpenAPI 3.1 document. Schemas are converted by zod
 * (JSON Schema draft 2020-12, the dialect of OpenAPI 3.1): requests as the handlers accept them (`io:
 * "input"`: before defaults and transforms), responses as they are sent. Every request body and every
 * named response schema is a component that operations refer to.
 */

export const DOCUMENT_TITLE = 'WhatsApp consent service';

/** OpenAPI JSON values as this builder writes them. */
type Json = Record<string, unknown>;

const TARGET = 'draft-2020-12';
const COMPONENT_PREFIX = '#/components/schemas/';
const SECURITY_SCHEME = 'bearerJwt';

/** Where the API answers: the local stack (`npm start`, port 3000 unless `PORT` says otherwise) and a deployed stage. */
const SERVERS: Json[] = [
  {
    url: 'http://127.0.0.1:3000',
    description: 'The local stack (`npm start`), on loopback and without TLS, for development and tests.',
    'x-internal': true,
  },
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
    description: "A deployed stack's HTTP API (production, or a staging stack): its `ApiUrl` output.",
    variables: {
      apiId: { default: 'a1b2c3d4e5', description: "The HTTP API's id, as the stack's `ApiUrl` output names it (the default is a placeholder)." },
      region: { default: 'eu-central-1', description: 'The AWS region the stack is deployed to (the default is an example).' },
    },
    'x-internal': false,
  },
];

const BEARER_JWT: Json = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    "An access token of the service's Cognito user pool. People hold permissions through groups, machine clients (client credentials) through scopes. In AWS, API Gateway's JWT authorizer checks each token before any function runs, with these checks of RFC8725 (JSON Web Token Best Current Practices): the signature, with the pool's published key that `kid` names and an RSA algorithm only (never `none`, never a shared secret), the issuer (the pool), the audience (one of the service's app clients) and the lifetime (`exp`, `nbf`). The functions then refuse an ID token of the pool (`token_use` other than `access`) with 401.",
};

/** The signatures functions check themselves, as API keys in a header: a request without one is refused with 401. */
const SIGNATURE_SCHEMES: Record<SignatureScheme, Json & { name: string }> = {
  metaSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Hub-Signature-256',
    description:
      "Not a key but Meta's signature of the request: `sha256=` and the hex HMAC-SHA256 of the body's bytes as sent, keyed with the Meta app's secret. The function computes it over the body as it arrived, before anything is parsed, and compares in constant time; a missing or wrong signature is `401`.",
  },
};

/** JSON Schema's `int32` range: an integer bounded within it says so; any other is an `int64` (JavaScript's safe integers fit). */
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** The order of operations within a path, as the OpenAPI specification lists them. */
const METHOD_ORDER: HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE'];

/** Who holds each permission, as the operation's description says it. */
const PERMISSION_WORDS: Record<Permission, string> = {
  'consent:read': 'any valid bearer token',
  'profiles:write': 'a bearer token of group `profile-admins` or with scope `profiles/write`',
  'whatsapp-blocklist:edit': 'a bearer token with the permission "Edit WhatsApp blocklist": group `whatsapp-blocklist-editors` or scope `whatsapp-blocklist/edit`',
  'whatsapp-blocklist:check': 'any valid bearer token (machine clients: scope `whatsapp-blocklist/check`)',
  'privacy:manage': 'a bearer token with the permission "Manage personal data": group `privacy-officers` or scope `privacy/manage`',
};

/** A caller who holds no group and no scope: a permission it holds, every caller holds. */
const NOBODY_IN_PARTICULAR = { sub: '-', username: '-', groups: new Set<string>(), scopes: new Set<string>() };

/** The document as `openapi.json` holds it: two-space indents and a final newline. */
export function documentText(document: Json): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function buildOpenApiDocument(routes: readonly ApiRoute[], options: { version: string }): Json {
  const requestComponents = requestComponentsOf(routes);
  const schemas = {
    ...componentSchemas(requestComponents, 'input'),
    ...componentSchemas(responseComponents, 'output'),
  };
  const names = [...requestComponents._idmap.keys()].filter((name) => responseComponents._idmap.has(name));
  if (names.length > 0) throw new Error(`A request body and a response share the component name ${names.join(', ')}`);

  return {
    openapi: '3.1.0',
    info: {
      title: DOCUMENT_TITLE,
      version: options.version,
      description:
        "Operators block and unblock WhatsApp numbers on customer profiles; campaigns check numbers before they send; Meta reports failures and opt-outs. Errors are `application/problem+json` (RFC 9457), but for the few that API Gateway answers itself in AWS (`{\"message\": …}`). In AWS, browsers may call the API from the operator console's origin alone (CORS, set on the API as a whole).",
    },
    servers: SERVERS,
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths: pathsOf(routes, requestComponents),
    components: {
      securitySchemes: { [SECURITY_SCHEME]: BEARER_JWT, ...SIGNATURE_SCHEMES },
      schemas: sortedByKey(schemas),
    },
  };
}

/** The request bodies of the routes, each under its name; one name, one schema. */
function requestComponentsOf(routes: readonly ApiRoute[]) {
  const registry = z.registry<{ id: string }>();
  for (const { body } of routes) {
    if (!body || body.mediaType) continue;
    const named = registry._idmap.get(body.name);
    if (named && named !== body.schema) throw new Error(`Two request bodies are named ${body.name}`);
    if (!named) registry.add(body.schema, { id: body.name });
  }
  return registry;
}

function componentSchemas(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, Json> {
  const { schemas } = z.toJSONSchema(registry, { target: TARGET, io, override: withIntegerFormat, uri: (id) => `${COMPONENT_PREFIX}${id}` });
  if ('__shared' in schemas) throw new Error('A schema is shared between components without a name of its own');
  // Each is a component of this document, not a document of its own.
  return Object.fromEntries(Object.entries(schemas).map(([name, { $schema: _, $id: __, ...schema }]) => [name, schema as Json]));
}

/** The JSON Schema of one value with no component of its own (a parameter, a text body). */
function inlineSchema(schema: z.core.$ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { target: TARGET, io, override: withIntegerFormat });
  return json as Json;
}

/** An integer's `format`, which zod does not write: `int32` when its bounds fit, `int64` otherwise. */
function withIntegerFormat({ jsonSchema }: { jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  if (jsonSchema.type !== 'integer' || jsonSchema.format !== undefined) return;
  const { minimum = -Infinity, maximum = Infinity } = jsonSchema;
  jsonSchema.format = minimum >= INT32.min && maximum <= INT32.max ? 'int32' : 'int64';
}

function pathsOf(routes: readonly ApiRoute[], requestComponents: z.core.$ZodRegistry<{ id: string }>): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const ordered = [...routes].sort((a, b) => compare(a.path, b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
  for (const route of ordered) {
    const item = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method]) throw new Error(`Two entries for ${route.method} ${route.path}`);
    item[method] = operationOf(route, requestComponents);
  }
  return paths;
}

function operationOf(route: ApiRoute, requestComponents: z.core.$ZodRegistry<{ id: string }>): Json {
  const { path, query, header } = route.parameters ?? {};
  const parameters = [...parametersOf('path', path), ...parametersOf('query', query), ...parametersOf('header', header)];
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, `**Who may call it:** ${callerWords(route)}`].filter(Boolean).join('\n\n'),
    security: securityOf(route),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            description: [`${route.body.mediaType ? 'CSV' : 'JSON'}, sent with \`Content-Type: ${route.body.mediaType ?? 'application/json'}\`, at most ${bytesInWords(route.body.maxBytes)}.`, route.body.description].filter(Boolean).join(' '),
            content: route.body.mediaType
              ? // A text of at most maxBytes bytes has at most as many characters.
                { [route.body.mediaType]: { schema: { ...inlineSchema(route.body.schema, 'input'), maxLength: route.body.maxBytes } } }
              : { 'application/json': { schema: componentRef(requestComponents, route.body.schema) } },
          },
        }
      : {}),
    responses: responsesOf(route),
  };
}

/** Roles in a bearer requirement are permissions, which OpenAPI 3.1 allows for any kind of scheme. */
function securityOf({ caller }: ApiRoute): Json[] {
  if ('permission' in caller) return [{ [SECURITY_SCHEME]: everyCallerHolds(caller.permission) ? [] : [caller.permission] }];
  return caller.signature ? [{ [caller.signature]: [] }] : [];
}

function callerWords(route: ApiRoute): string {
  return 'permission' in route.caller ? `${PERMISSION_WORDS[route.caller.permission]}.` : `anyone, without a token. ${route.caller.anyone}`;
}

function everyCallerHolds(permission: Permission): boolean {
  return can(NOBODY_IN_PARTICULAR, permission);
}

/** One parameter per property of the object schema; its description is the parameter's. */
function parametersOf(location: 'path' | 'query' | 'header', schema: z.core.$ZodObject | undefined): Json[] {
  if (!schema) return [];
  const json = inlineSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    ...(description === undefined ? {} : { description }),
    schema: property,
  }));
}

function responsesOf(route: ApiRoute): Json {
  const responses: Record<string, Json> = {};
  for (const [status, response] of Object.entries(route.responses)) responses[status] = successOf(response);
  for (const [status, description] of problemsOf(route)) responses[String(status)] = problemOf(status, description, route);
  return sortedByKey({ ...responses, ...EVERY_ROUTE_ANSWERS });
}

/** What API Gateway itself answers, before or instead of the function, with the example of its body. */
function gatewayMessage(message: string): Json {
  return { schema: componentRef(responseComponents, GatewayMessage), example: { message } };
}

/** The answers any route may give, whatever it does. */
const EVERY_ROUTE_ANSWERS: Record<'429' | '500', Json> = {
  429: {
    description:
      "Too many requests: in AWS, API Gateway's throttle for the stage or for this route (a steady rate a second, and a burst) is reached, and the request is refused before any function runs, without a `Retry-After`. Retry after a pause that grows with each refusal. The local stack does not throttle.",
    content: { 'application/json': gatewayMessage('Too Many Requests') },
  },
  500: {
    description:
      "An unexpected failure. The service answers with a problem document (`/problems/internal-error`) that names no detail; in AWS, when a function fails before it answers (a crash, a timeout), API Gateway answers with its own body.",
    content: { 'application/problem+json': { schema: componentRef(responseComponents, Problem) }, 'application/json': gatewayMessage('Internal Server Error') },
  },
};

function successOf(response: SuccessResponse): Json {
  const content = response.json
    ? {
        'application/json': { schema: componentRef(responseComponents, response.json) },
        ...(response.csv ? { 'text/csv': { schema: inlineSchema(response.csv, 'output') } } : {}),
      }
    : response.text
      ? { 'text/plain': { schema: inlineSchema(response.text, 'output') } }
      : undefined;
  const headers = Object.entries(response.headers ?? {}).map(([name, { description, schema }]) => [name, { description, schema: inlineSchema(schema, 'output') }]);
  return {
    description: response.description,
    ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
    ...(content ? { content } : {}),
  };
}

/** The problems the entry implies, then its own, which may reword an implied one. */
function problemsOf(route: ApiRoute): Map<ProblemStatus, string> {
  const problems = new Map<ProblemStatus, string>();
  const query = route.parameters?.query;
  const strictQuery = query && inlineSchema(query, 'input')['additionalProperties'] === false;
  // A route that refuses no body checks its header (a signature) itself, and answers 401 for it.
  if ((route.parameters || route.body) && !route.body?.refusesNothing) {
    problems.set(400, `Invalid input; \`errors\` names each invalid field${strictQuery ? ' (unknown query parameters too)' : ''}.`);
  }
  if ('permission' in route.caller) {
    problems.set(401, 'No valid bearer token.');
    if (!everyCallerHolds(route.caller.permission)) problems.set(403, `The token is valid, but only ${PERMISSION_WORDS[route.caller.permission]} may.`);
  } else if (route.caller.signature) {
    problems.set(401, `The \`${SIGNATURE_SCHEMES[route.caller.signature].name}\` header is missing or does not sign this request.`);
  }
  if (route.body) problems.set(413, `The body is over ${bytesInWords(route.body.maxBytes)}.`);
  if (route.body && !route.body.refusesNothing) {
    problems.set(
      415,
      route.body.mediaType ? `The body is not declared as \`${route.body.mediaType}\`.` : 'The body is not declared as JSON (`Content-Type: application/json` or a `+json` type, in UTF-8).',
    );
  }
  for (const [status, description] of Object.entries(route.problems ?? {})) problems.set(Number(status) as ProblemStatus, description);
  return problems;
}

function problemOf(status: ProblemStatus, description: string, route: ApiRoute): Json {
  const problem = { 'application/problem+json': { schema: componentRef(responseComponents, Problem) } };
  // In AWS the JWT authorizer refuses a token before the function runs, with a body of its own.
  if (status === 401 && 'permission' in route.caller) {
    return {
      description: `${description} In AWS, API Gateway refuses a missing or invalid token itself, with \`{"message":"Unauthorized"}\`.`,
      content: { ...problem, 'application/json': { schema: componentRef(responseComponents, GatewayMessage) } },
    };
  }
  return { description, content: problem };
}

function componentRef(registry: z.core.$ZodRegistry<{ id: string }>, schema: z.core.$ZodType): Json {
  const id = registry.get(schema)?.id;
  if (id === undefined) throw new Error('A body schema has no component name');
  return { $ref: `${COMPONENT_PREFIX}${id}` };
}

function bytesInWords(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compare(a, b)));
}

/** Code-point order, the same on every machine (unlike `localeCompare`). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
