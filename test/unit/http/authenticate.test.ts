import middy from '@middy/core';
import { UnauthorizedError } from '../../../shared/domain/errors.js';
import { authenticate } from '../../../shared/http/authenticate.js';
import type { HttpContext, HttpEvent, HttpResult } from '../../../shared/http/types.js';
import { invoke, OK } from '../support/middy.js';
import { httpEvent } from '../support/samples.js';

function authenticated() {
  const seen: HttpContext['caller'][] = [];
  const handler = middy<HttpEvent, HttpResult, Error, HttpContext>(async (_event: HttpEvent, context: HttpContext) => {
    seen.push(context.caller);
    return OK;
  }).use(authenticate());
  return { handler, seen };
}

describe('authenticate', () => {
  it('puts the caller read from the claims on the context', async () => {
    const { handler, seen } = authenticated();
    const event = httpEvent({
      claims: { token_use: 'access', sub: 'sub-erin', username: 'erin', 'cognito:groups': '[whatsapp-blocklist-editors]', scope: 'aws.cognito.signin.user.admin' },
    });

    const response = await invoke(handler, event);

    expect(response).toEqual(OK);
    expect(seen).toEqual([
      { sub: 'sub-erin', username: 'erin', groups: new Set(['whatsapp-blocklist-editors']), scopes: new Set(['aws.cognito.signin.user.admin']) },
    ]);
  });

  it('refuses a request without claims with a 401, before the handler runs', async () => {
    const { handler, seen } = authenticated();

    const response = invoke(handler, httpEvent({ claims: null }));

    await expect(response).rejects.toThrow(UnauthorizedError);
    await expect(response).rejects.toMatchObject({ status: 401, message: 'A valid bearer token is required.' });
    expect(seen).toEqual([]);
  });

  it('refuses claims without a subject with a 401', async () => {
    const { handler, seen } = authenticated();

    await expect(invoke(handler, httpEvent({ claims: { token_use: 'access', username: 'erin' } }))).rejects.toMatchObject({ status: 401 });
    expect(seen).toEqual([]);
  });

  it('refuses an ID token with a 401, whatever groups it names', async () => {
    const { handler, seen } = authenticated();
    const idToken = { token_use: 'id', sub: 'sub-erin', 'cognito:username': 'erin', aud: 'the-console-client', 'cognito:groups': '[whatsapp-blocklist-editors]' };

    await expect(invoke(handler, httpEvent({ claims: idToken }))).rejects.toMatchObject({ status: 401, message: 'A valid bearer token is required.' });
    expect(seen).toEqual([]);
  });
});
