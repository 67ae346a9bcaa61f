import { http, stack } from '../../support/http-client.js';

/**
 * What the local stack serves besides the API: the built console under /console/ (with the security
 * headers CloudFront adds in AWS) and the local-only token endpoint behind the sign-in form.
 */

describe('the console files', () => {
  it('serves index.html for any console path, so deep links survive a reload, with the security headers', async () => {
    // act
    const response = await fetch(`${stack.url}/console/profiles/crm-42`);

    // assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/<script type="module"[^>]+src="\/console\/assets\/[^"]+\.js"/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self';.*connect-src 'self';.*frame-ancestors 'none'/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves the local config: the API on the same origin and the local sign-in', async () => {
    const response = await http('GET', '/console/config.json');
    expect(response.body).toEqual({
      apiUrl: '',
      auth: { kind: 'local', tokenUrl: '/local/token', groups: ['whatsapp-blocklist-editors', 'profile-admins', 'privacy-officers'] },
    });
  });

  it('sends / and /console to /console/', async () => {
    for (const path of ['/', '/console']) {
      const response = await fetch(`${stack.url}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/console/');
    }
  });

  it('never serves a file outside the build, however the path is written', async () => {
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2f..%2fpackage.json', '/console/%2e%2e%2f.local%2fjwt-signing-key.json']) {
      const response = await fetch(`${stack.url}${path}`);
      const body = await response.text();
      expect(body).not.toMatch(/"dependencies"|privateJwk/);
    }
  });

  it('leaves the API routes to the API', async () => {
    const response = await http('GET', '/profiles/any/whatsapp');
    expect(response.status).toBe(401);
  });
});

describe('POST /local/token', () => {
  it('signs a token the API accepts, with the groups ticked', async () => {
    // act
    const issued = await http('POST', '/local/token', { body: { user: 'erin', groups: ['whatsapp-blocklist-editors', 'privacy-officers'] } });

    // assess
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = JSON.parse(Buffer.from(issued.body.access_token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ username: 'erin', 'cognito:groups': ['whatsapp-blocklist-editors', 'privacy-officers'] });
    const used = await http('GET', '/numbers/%2B420777123456', { token: issued.body.access_token });
    expect(used.status).toBe(200);
  });

  it.each([
    ['no user name', { groups: [] }],
    ['an empty user name', { user: '   ', groups: [] }],
    ['a group that grants nothing here', { user: 'erin', groups: ['admins'] }],
    ['a user name with markup', { user: '<script>', groups: [] }],
    ['an unknown field', { user: 'erin', groups: [], scope: 'whatsapp-blocklist/edit' }],
  ])('refuses %s with 400 problem+json', async (_, body) => {
    const response = await http('POST', '/local/token', { body });
    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body.errors.length).toBeGreaterThan(0);
  });

  it('refuses a body that is not JSON, of another media type, too large, or another method', async () => {
    expect((await http('POST', '/local/token', { body: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await http('POST', '/local/token', { body: 'user=erin', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await http('POST', '/local/token', { body: { user: 'x'.repeat(10_000), groups: [] } })).status).toBe(413);
    expect((await http('GET', '/local/token')).status).toBe(405);
  });
});
