import * as z from 'zod/mini';
import { readFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { routes } from '../../../infra/resources.js';
import { conformanceTo } from '../../../shared/http/contract/conformance.js';
import { generatedOpenApiText, OPENAPI_FILE } from '../../../shared/http/contract/openapi-file.js';
import { blocklistQuery, clientIdentifier, handshakeQuery, idempotencyKey, importIdempotencyKey, importPath, pageQuery, phoneInput, requestPath } from '../../../shared/http/contract/parameters.js';
import { apiRoutes, type HttpMethod } from '../../../shared/http/contract/routes.js';

const checkedIn = readFileSync(OPENAPI_FILE, 'utf8');
const document = JSON.parse(checkedIn);
const contract = conformanceTo(document);

/** Every operation of the document, as `METHOD /path`. */
const operations = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

/** The routes the stack deploys, the document's own among them. */
const deployed = routes;

describe('openapi.json', () => {
  it('is what the route registry generates (run npm run openapi after changing a schema or a route)', () => {
    expect(checkedIn).toBe(generatedOpenApiText());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(document));

    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.warnings).toEqual([]);
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'WhatsApp consent service', version: JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version });
  });

  it('documents every route the stack deploys, and GET /openapi.json, and nothing else', () => {
    expect([...operations].sort()).toEqual([...new Set(deployed.map(({ method, path }) => `${method} ${path}`))].sort());
  });

  it('names the local stack and a deployed stage as its servers', () => {
    expect(document.servers.map((server: { url: string }) => server.url)).toEqual(['http://127.0.0.1:3000', 'https://{apiId}.execute-api.{region}.amazonaws.com']);
  });

  it('asks for a bearer token exactly where the stack puts the JWT authorizer', () => {
    const documented = deployed.map(({ method, path }) => document.paths[path][method.toLowerCase()].security.some((requirement: object) => 'bearerJwt' in requirement));

    expect(documented).toEqual(deployed.map((route) => route.authorization === 'jwt'));
  });

  it("asks for Meta's signature on the webhook's callbacks, and for nothing on the other open routes", () => {
    const signed = operations.filter((operation) => {
      const [method = '', path = ''] = operation.split(' ');
      return document.paths[path][method.toLowerCase()].security.some((requirement: object) => 'metaSignature' in requirement);
    });

    expect(signed).toEqual(['POST /webhooks/whatsapp']);
    expect(document.paths['/webhooks/whatsapp'].post.security).toEqual([{ metaSignature: [] }]);
    expect(document.components.securitySchemes.metaSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Hub-Signature-256' });
  });

  it("answers every error with problem+json (but for API Gateway's throttle), and every route that asks for a credential may answer 401", () => {
    for (const operation of operations) {
      const [method = '', path = ''] = operation.split(' ');
      const { responses, security } = document.paths[path][method.toLowerCase()];
      for (const [status, response] of Object.entries(responses as Record<string, { content?: object }>)) {
        const expected = status === '429' ? 'application/json' : 'application/problem+json';
        if (Number(status) >= 400) expect([operation, status, Object.keys(response.content ?? {})[0]]).toEqual([operation, status, expected]);
      }
      if (security.length > 0) expect([operation, Object.keys(responses)]).toEqual([operation, expect.arrayContaining(['401'])]);
    }
  });

  it("documents on every route API Gateway's 429 of a reached throttle, and the 500 of an unexpected failure", () => {
    const gatewayMessage = { $ref: '#/components/schemas/GatewayMessage' };
    for (const operation of operations) {
      const [method = '', path = ''] = operation.split(' ');
      const { responses } = document.paths[path][method.toLowerCase()];

      expect([operation, responses['429']?.content]).toEqual([operation, { 'application/json': { schema: gatewayMessage, example: { message: 'Too Many Requests' } } }]);
      expect([operation, responses['500']?.content]).toEqual([
        operation,
        { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } }, 'application/json': { schema: gatewayMessage, example: { message: 'Internal Server Error' } } },
      ]);
    }
  });

  it('bounds the length of every string a request carries, in its parameters and its body', () => {
    const unbounded = operations.flatMap((operation) => {
      const [method = '', path = ''] = operation.split(' ');
      const { parameters = [], requestBody } = document.paths[path][method.toLowerCase()];
      const schemas: [string, unknown][] = [
        ...parameters.map((parameter: { in: string; name: string; schema: unknown }): [string, unknown] => [`${parameter.in}.${parameter.name}`, parameter.schema]),
        ...Object.entries(requestBody?.content ?? {}).map(([media, { schema }]: [string, any]): [string, unknown] => [`body (${media})`, schema]),
      ];
      return schemas.flatMap(([where, schema]) => unboundedStrings(schema, where).map((at) => `${operation} ${at}`));
    });

    expect(unbounded).toEqual([]);
  });
});

/** Where a schema (its references followed) has a string with no `maxLength`, `enum` or `const`. */
function unboundedStrings(schema: unknown, at: string): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, index) => unboundedStrings(item, `${at}[${index}]`));
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const ref = node['$ref'];
  if (typeof ref === 'string') return unboundedStrings(document.components.schemas[ref.replace('#/components/schemas/', '')], at);
  const types = [node['type']].flat();
  const here = types.includes('string') && !('maxLength' in node || 'enum' in node || 'const' in node) ? [at] : [];
  const below = Object.entries(node).flatMap(([key, value]) => (typeof value === 'object' ? unboundedStrings(value, `${at}.${key}`) : []));
  return [...here, ...below];
}

/**
 * The longest value each string parameter's schema accepts, and one a character longer that it
 * refuses; the document's `maxLength` must be the former's length. A parameter whose schema is not
 * here fails the test below: find the bound its handler applies, and add it.
 */
const longestParameters = new Map<z.core.$ZodType, [longest: string, tooLong: string]>([
  [clientIdentifier(), ['p'.repeat(128), 'p'.repeat(129)]],
  // normalisePhone refuses more than 64 characters before it trims and parses.
  [phoneInput(), [`+420777123456${' '.repeat(51)}`, `+420777123456${' '.repeat(52)}`]],
  [requestPath().shape.requestId, ['0'.repeat(26), '0'.repeat(27)]],
  [importPath().shape.importId, ['0'.repeat(26), '0'.repeat(27)]],
  [idempotencyKey(), ['k'.repeat(255), 'k'.repeat(256)]],
  [importIdempotencyKey(), ['k'.repeat(255), 'k'.repeat(256)]],
  [pageQuery().shape.cursor, ['c'.repeat(2048), 'c'.repeat(2049)]],
  [blocklistQuery().shape.cursor, ['c'.repeat(4096), 'c'.repeat(4097)]],
  [blocklistQuery().shape.reasonCode, ['9'.repeat(9), '9'.repeat(10)]],
  // Nanoseconds and an offset; the handler had no bound of its own before the document stated one.
  [blocklistQuery().shape.changedAfter, ['2026-03-01T12:00:00.123456789+01:00', '2026-03-01T12:00:00.1234567891+01:00']],
  [handshakeQuery().shape['hub.mode'], ['m'.repeat(64), 'm'.repeat(65)]],
  [handshakeQuery().shape['hub.verify_token'], ['t'.repeat(1024), 't'.repeat(1025)]],
  [handshakeQuery().shape['hub.challenge'], ['1'.repeat(256), '1'.repeat(257)]],
]);

describe("the document's request parameters", () => {
  const stringParameters = apiRoutes.flatMap((route) =>
    (['path', 'query', 'header'] as const).flatMap((location) =>
      Object.entries(route.parameters?.[location]?._zod.def.shape ?? {}).flatMap(([name, schema]) => {
        const documented = document.paths[route.path][route.method.toLowerCase()].parameters.find((parameter: { in: string; name: string }) => parameter.in === location && parameter.name === name).schema;
        return documented.type === 'string' && !('enum' in documented) ? [{ route: `${route.method} ${route.path}`, location, name, schema, documented }] : [];
      }),
    ),
  );

  it.each(stringParameters.map((parameter) => [`${parameter.route} ${parameter.location}.${parameter.name}`, parameter] as const))(
    '%s: maxLength is the longest value the handler accepts',
    (_, { route, location, name, schema, documented }) => {
      const [method = '', path = ''] = route.split(' ');
      const bound = longestParameters.get(schema);
      if (!bound) throw new Error(`No known bound for ${route} ${location}.${name}: add its longest accepted value to longestParameters`);
      const [longest, tooLong] = bound;

      expect(documented.maxLength).toBe([...longest].length);
      expect(z.safeParse(schema, longest).success).toBe(true);
      expect(z.safeParse(schema, tooLong).success).toBe(false);
      expect(contract.parameter(method, path, location, name, longest)).toEqual([]);
      expect(contract.parameter(method, path, location, name, tooLong)).not.toEqual([]);
    },
  );
});

/** A route's request body schema: the very zod schema its handler validates with. */
function handlerSchema(method: HttpMethod, path: string) {
  const schema = apiRoutes.find((route) => route.method === method && route.path === path)?.body?.schema;
  if (!schema) throw new Error(`no body for ${method} ${path}`);
  return schema;
}

const BLOCK = '/profiles/{profileId}/whatsapp/{phone}/block';
const callback = JSON.parse(readFileSync(new URL('../../fixtures/meta-status-failed-131026.json', import.meta.url), 'utf8'));

describe("the document's request bodies", () => {
  it.each<[string, HttpMethod, string, unknown]>([
    ['a reason of 501 characters', 'POST', BLOCK, { reason: 'x'.repeat(501) }],
    ['a reason of white space alone', 'POST', BLOCK, { reason: ' \t\n ' }],
    ['an empty reason', 'POST', BLOCK, { reason: '' }],
    ['no reason', 'POST', BLOCK, {}],
    ['an unknown body field', 'POST', BLOCK, { reason: 'asked by phone', dryRun: true }],
    ['a reason that is no string', 'POST', '/profiles/{profileId}/whatsapp/{phone}/unblock', { reason: 42 }],
    ['no numbers on a profile', 'PUT', '/profiles/{profileId}', { whatsappNumbers: [] }],
    ['21 numbers on a profile', 'PUT', '/profiles/{profileId}', { whatsappNumbers: Array.from({ length: 21 }, (_, index) => `+42077712${String(index).padStart(4, '0')}`) }],
    ['a number that is no string', 'PUT', '/profiles/{profileId}', { whatsappNumbers: [420777123456] }],
    ['a check of no numbers', 'POST', '/blocklist/check', { phones: [] }],
    ['a check of 10,001 numbers', 'POST', '/blocklist/check', { phones: Array.from({ length: 10_001 }, () => '+420777123456') }],
    ['a category that does not exist', 'POST', '/blocklist/check', { phones: ['+420777123456'], category: 'promotion' }],
    ['an unknown field of a check', 'POST', '/blocklist/check', { phones: ['+420777123456'], dryRun: true }],
    ['a release of 101 numbers', 'POST', '/blocklist/held/release', { phones: Array.from({ length: 101 }, () => '+420777123456'), reason: 'checked' }],
    ['a discard without a reason', 'POST', '/blocklist/held/discard', { phones: ['+420777123456'] }],
    ['a number of 65 characters', 'PUT', '/profiles/{profileId}', { whatsappNumbers: [`+420777123456${' '.repeat(52)}`] }],
    ['a release of a number of 65 characters', 'POST', '/blocklist/held/release', { phones: [`+420777123456${' '.repeat(52)}`], reason: 'checked' }],
  ])('refuse %s, as the handler does', (_, method, path, body) => {
    expect(z.safeParse(handlerSchema(method, path), body).success).toBe(false);
    expect(contract.requestBody(method, path, body)).not.toEqual([]);
  });

  it.each<[string, HttpMethod, string, unknown]>([
    ['a reason of 500 characters', 'POST', BLOCK, { reason: 'ř'.repeat(500) }],
    ['a profile of two numbers in any form', 'PUT', '/profiles/{profileId}', { whatsappNumbers: ['+420 777 123 456', '0041 79 123 45 67'] }],
    ['a check whose entries are anything', 'POST', '/blocklist/check', { phones: ['+420777123456', 42, null, { a: 1 }], category: 'utility' }],
    ['a release', 'POST', '/blocklist/held/release', { phones: ['+420777123456'], reason: 'Checked: not on WhatsApp' }],
    ['a number of 64 characters, spaces around it trimmed', 'PUT', '/profiles/{profileId}', { whatsappNumbers: [`+420777123456${' '.repeat(51)}`] }],
    ["Meta's failure callback", 'POST', '/webhooks/whatsapp', callback],
    // the webhook reads what it can of any signed body, and answers 200
    ['a callback without entries', 'POST', '/webhooks/whatsapp', { object: 'whatsapp_business_account' }],
    ['a callback whose status has no id', 'POST', '/webhooks/whatsapp', { object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ status: 'failed', timestamp: '1' }] } }] }] }],
    ['a callback that is a list', 'POST', '/webhooks/whatsapp', [callback, null, 42]],
  ])('accept %s, as the handler does', (_, method, path, body) => {
    expect(z.safeParse(handlerSchema(method, path), body).success).toBe(true);
    expect(contract.requestBody(method, path, body)).toEqual([]);
  });
});

describe("the document's answers", () => {
  it('tell a documented answer from one the route does not give', () => {
    const problem = { type: '/problems/not-found', title: 'Not found', status: 404, detail: 'Profile p does not exist.' };

    expect(contract.answer('GET', '/profiles/{profileId}/whatsapp', { status: 404, contentType: 'application/problem+json', body: problem })).toEqual([]);
    expect(contract.answer('GET', '/numbers/{phone}', { status: 404, contentType: 'application/problem+json', body: problem })).toEqual([
      'GET /numbers/{phone} does not document the status 404',
    ]);
    expect(contract.answer('GET', '/health', { status: 200, contentType: 'application/json', body: { status: 'ok', uptime: 1 } })).not.toEqual([]);
    expect(contract.answer('GET', '/numbers/{phone}', { status: 401, contentType: 'application/json', body: { message: 'Unauthorized' } })).toEqual([]);
    expect(contract.answer('POST', '/blocklist/check', { status: 429, contentType: 'application/json', body: { message: 'Too Many Requests' } })).toEqual([]);
    expect(contract.answer('POST', '/blocklist/check', { status: 429, contentType: 'application/problem+json', body: problem })).not.toEqual([]);
    expect(contract.answer('GET', '/health', { status: 500, contentType: 'application/json', body: { message: 'Internal Server Error' } })).toEqual([]);
  });
});
