import type { Page } from 'playwright-core';
import { EDITORS, switchFor, useChromium } from '../../support/browser.js';
import { uniquePhone } from '../../support/consent-api.js';
import { createProfile, stack, tokenFor } from '../../support/http-client.js';

/*
 * The console's sign-in as deployed in AWS: Cognito's managed login through oidc-client-ts
 * (authorisation code with PKCE) and Cognito's own /logout. The hosted domain is played by the browser's
 * network layer; the console, its build and the API are the real ones, with the content security
 * policy that CloudFront sends (connect-src: the API and the Cognito domain).
 */

const browser = useChromium();
const DOMAIN = 'https://login.example.test';
const AUTHORITY = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
const CLIENT_ID = 'console-client-id';

interface Seen {
  authorize?: URL;
  tokenForm?: URLSearchParams;
  logout?: URL;
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'example' })}.${part(claims)}.signature`;
}

/** Cognito's hosted domain as the console meets it: authorize, token and logout. */
async function playCognito(page: Page, accessToken: string): Promise<Seen> {
  const seen: Seen = {};
  const cors = { 'access-control-allow-origin': stack.url, 'access-control-allow-headers': 'content-type, authorization' };
  await page.route('**/console/config.json', (route) =>
    route.fulfill({ json: { apiUrl: stack.url, auth: { kind: 'cognito', authority: AUTHORITY, clientId: CLIENT_ID, domain: DOMAIN } } }),
  );
  // The console's pages with CloudFront's policy: the API and the hosted domain, nothing else.
  await page.route(/\/console\/(?!assets\/|config\.json)[^.]*$/, async (route) => {
    const response = await route.fetch();
    const csp = (response.headers()['content-security-policy'] ?? '').replace("connect-src 'self'", `connect-src ${stack.url} ${DOMAIN}`);
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
  });
  await page.route(`${DOMAIN}/oauth2/authorize**`, async (route) => {
    const url = new URL(route.request().url());
    seen.authorize = url;
    const back = new URL(url.searchParams.get('redirect_uri')!);
    back.searchParams.set('code', 'the-authorization-code');
    back.searchParams.set('state', url.searchParams.get('state')!);
    // A page that sends the browser on, as the hosted login does once the person has signed in (a
    // navigation of its own, so that the console's page on return is routed like any other).
    await route.fulfill({ contentType: 'text/html', body: `<script>location.replace(${JSON.stringify(back.href)})</script>` });
  });
  await page.route(`${DOMAIN}/oauth2/token`, async (route) => {
    if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    seen.tokenForm = new URLSearchParams(route.request().postData() ?? '');
    const now = Math.floor(Date.now() / 1000);
    const idToken = unsignedJwt({ iss: AUTHORITY, aud: CLIENT_ID, sub: 'user-cora', 'cognito:username': 'cora', iat: now, exp: now + 3600 });
    await route.fulfill({
      headers: cors,
      json: { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: 3600 },
    });
  });
  await page.route(`${DOMAIN}/logout**`, async (route) => {
    const url = new URL(route.request().url());
    seen.logout = url;
    await route.fulfill({ contentType: 'text/html', body: `<script>location.replace(${JSON.stringify(url.searchParams.get('logout_uri'))})</script>` });
  });
  return seen;
}

it('signs in through the managed login with PKCE, comes back to the same profile, and signs out through /logout', async () => {
  // prepare
  const phone = uniquePhone();
  const profileId = await createProfile([phone], 'console');
  const context = await browser().newContext();
  const page = await context.newPage();
  const seen = await playCognito(page, await tokenFor({ user: 'cora', groups: [EDITORS] }));
  await page.goto(`${stack.url}/console/profiles/${profileId}`);

  // act: sign in
  await page.getByRole('button', { name: 'Sign in' }).click();

  // assess: back on the profile, signed in, with the editor's switch
  await switchFor(page, phone).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/console/profiles/${profileId}`);
  expect(await page.getByText('Signed in as').innerText()).toMatch(/cora/);
  expect(Object.fromEntries(seen.authorize!.searchParams)).toMatchObject({
    client_id: CLIENT_ID,
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: `${stack.url}/console/callback`,
    code_challenge_method: 'S256',
  });
  expect(seen.authorize!.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(Object.fromEntries(seen.tokenForm!)).toMatchObject({ grant_type: 'authorization_code', code: 'the-authorization-code', client_id: CLIENT_ID });
  expect(seen.tokenForm!.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);

  // act: sign out
  await page.getByRole('button', { name: 'Sign out' }).click();

  // assess: Cognito's /logout, then the console's start, signed out
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(Object.fromEntries(seen.logout!.searchParams)).toEqual({ client_id: CLIENT_ID, logout_uri: `${stack.url}/console/` });
  expect(new URL(page.url()).pathname).toBe('/console/');
  await context.close();
});
