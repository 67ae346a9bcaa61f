import { readFileSync } from 'node:fs';
import type { MiddyfiedHandler } from '@middy/core';
import { handler } from '../../../functions/openapi/handler.js';
import { OPENAPI_FILE } from '../../../shared/http/contract/openapi-file.js';
import type { HttpContext, HttpEvent, HttpResult } from '../../../shared/http/types.js';
import { invoke } from '../support/middy.js';
import { httpEvent } from '../support/samples.js';

const serve = (headers: Record<string, string> = {}, routeKey = 'GET /openapi.json') =>
  invoke(handler as unknown as MiddyfiedHandler<HttpEvent, HttpResult, Error, HttpContext>, httpEvent({ routeKey, headers, claims: null }));

describe('GET /openapi.json', () => {
  it('serves the checked-in document as JSON, cacheable, with its ETag', async () => {
    const response = await serve();

    expect(response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', etag: expect.stringMatching(/^"[\w-]{27}"$/) },
      body: expect.any(String),
    });
    expect(JSON.parse(response.body ?? '')).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
  });

  it('answers 304 without a body to a client that holds this version, in any form of If-None-Match', async () => {
    const etag = String((await serve()).headers?.['etag']);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      expect(await serve({ 'if-none-match': ifNoneMatch })).toEqual({ statusCode: 304, headers: { 'cache-control': 'public, max-age=300', etag } });
    }
    expect((await serve({ 'if-none-match': '"other"' })).statusCode).toBe(200);
  });

  it('is the only route of the function', async () => {
    const response = await serve({}, 'GET /openapi.yaml');

    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });
});
