import * as z from 'zod/mini';
import { readFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { routes } from '../../../infra/resources.js';
import { conformanceTo } from '../../../shared/http/contract/conformance.js';
import { generatedOpenApiText, OPENAPI_FILE } from '../../../shared/http/contract/openapi-file.js';
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

  it('asks for a bearer token exactly where the stack puts the JWT authorizer', () => {
    const documented = deployed.map(({ method, path }) => document.paths[path][method.toLowerCase()].security.length > 0);

    expect(documented).toEqual(deployed.map((route) => route.authorization === 'jwt'));
  });

  it('answers every error with problem+json, and every bearer route may answer 401', () => {
    for (const operation of operations) {
      const [method = '', path = ''] = operation.split(' ');
      const { responses, security } = document.paths[path][method.toLowerCase()];
      for (const [status, response] of Object.entries(responses as Record<string, { content?: object }>)) {
        if (Number(status) >= 400) expect([operation, status, Object.keys(response.content ?? {})[0]]).toEqual([operation, status, 'application/problem+json']);
      }
      if (security.length > 0) expect([operation, Object.keys(responses)]).toEqual([operation, expect.arrayContaining(['401'])]);
    }
  });
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
    ['a callback without entries', 'POST', '/webhooks/whatsapp', { object: 'whatsapp_business_account' }],
    ['a callback whose status has no id', 'POST', '/webhooks/whatsapp', { object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ status: 'failed', timestamp: '1' }] } }] }] }],
  ])('refuse %s, as the handler does', (_, method, path, body) => {
    expect(z.safeParse(handlerSchema(method, path), body).success).toBe(false);
    expect(contract.requestBody(method, path, body)).not.toEqual([]);
  });

  it.each<[string, HttpMethod, string, unknown]>([
    ['a reason of 500 characters', 'POST', BLOCK, { reason: 'ř'.repeat(500) }],
    ['a profile of two numbers in any form', 'PUT', '/profiles/{profileId}', { whatsappNumbers: ['+420 777 123 456', '0041 79 123 45 67'] }],
    ['a check whose entries are anything', 'POST', '/blocklist/check', { phones: ['+420777123456', 42, null, { a: 1 }], category: 'utility' }],
    ['a release', 'POST', '/blocklist/held/release', { phones: ['+420777123456'], reason: 'Checked: not on WhatsApp' }],
    ["Meta's failure callback", 'POST', '/webhooks/whatsapp', callback],
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
  });
});
