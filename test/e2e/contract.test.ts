import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { createProfile, http, stack, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';

/** Black-box checks of the HTTPS contract (docs/api.md) over HTTP against the running local stack. */

const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
const adminToken = await tokenFor({ user: 'adam', groups: ['profile-admins'] });
const readerToken = await tokenFor({ user: 'rita' });


const settledStatus = (requestId: string) =>
  eventually(
    async () => (await http('GET', `/requests/${requestId}`, { token: readerToken })).body,
    (body) => body.status !== 'pending',
  );

describe('authentication', () => {
  it('answers /health without a token', async () => {
    const response = await http('GET', '/health');
    expect(response.status).toBe(200);
  });

  it('refuses a missing token with 401 problem+json', async () => {
    const response = await http('GET', '/profiles/any/whatsapp');
    expect(response.status).toBe(401);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('refuses a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ 'cognito:groups': ['whatsapp-blocklist-editors'], token_use: 'access' })
      .setProtectedHeader({ alg: 'RS256', kid: 'local-1' })
      .setIssuer('https://local-cognito.invalid/whatsapp-consent')
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await http('GET', '/profiles/any/whatsapp', { token: forged })).status).toBe(401);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', kid: 'local-1' })}.${encode({ sub: 'mallory', iss: 'https://local-cognito.invalid/whatsapp-consent', exp: 9_999_999_999 })}.`;
    expect((await http('GET', '/profiles/any/whatsapp', { token: unsigned })).status).toBe(401);
  });

  it('refuses an ID token of the pool, which the authorizer lets through, with 401 problem+json', async () => {
    const idToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'], tokenUse: 'id' });

    const response = await http('GET', '/profiles/any/whatsapp', { token: idToken });

    expect(response.status).toBe(401);
    expect(response.contentType).toBe('application/problem+json');
  });

  it('refuses an expired token and a token of another issuer', async () => {
    const expired = await tokenFor({ user: 'erin', expiresIn: -60 });
    const foreign = await tokenFor({ user: 'erin', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/other' });
    expect((await http('GET', '/profiles/any/whatsapp', { token: expired })).status).toBe(401);
    expect((await http('GET', '/profiles/any/whatsapp', { token: foreign })).status).toBe(401);
  });
});

describe('the README walk-through', () => {
  it('creates a profile, blocks a number, sees the request settle, and reads both histories', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);

    // act
    const accepted = await http('POST', `/profiles/${profileId}/whatsapp/${encodeURIComponent(phone)}/block`, {
      token: editorToken,
      body: { reason: 'Asked us to stop, by phone' },
    });
    const settled = await settledStatus(accepted.body.requestId);

    // assess
    expect(accepted.status).toBe(202);
    expect(settled).toMatchObject({ status: 'applied', action: 'block', phone, profileId, requestedBy: { username: 'erin' } });
    expect(settled.appliedAt).toEqual(expect.any(String));
    const view = await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken });
    expect(view.body.numbers).toEqual([
      expect.objectContaining({ phone, blocked: true, source: 'manual', reason: 'Asked us to stop, by phone', updatedBy: 'erin', pending: [] }),
    ]);
    const profileHistory = await http('GET', `/profiles/${profileId}/whatsapp/history`, { token: readerToken });
    const numberHistory = await http('GET', `/numbers/${phone.slice(1)}/history`, { token: readerToken });
    expect(profileHistory.body.items).toHaveLength(1); // every message is delivered twice by this stack
    expect(numberHistory.body.items[0]).toEqual({
      eventId: accepted.body.requestId,
      requestId: accepted.body.requestId,
      action: 'block',
      phone,
      profileId,
      source: 'manual',
      reason: 'Asked us to stop, by phone',
      reasonCode: null,
      actor: { type: 'user', sub: expect.any(String), username: 'erin' },
      providerMessageId: null,
      recipientId: null,
      importId: null,
      requestedAt: settled.requestedAt,
      appliedAt: settled.appliedAt,
      outcome: 'applied',
    });
  });
});

describe('contract status codes', () => {
  it('403 for a reader who blocks, and nothing is queued or recorded', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const response = await http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`, { token: readerToken, body: { reason: 'x' } });
    expect(response.status).toBe(403);
    expect(response.contentType).toBe('application/problem+json');
    const view = await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken });
    expect(view.body.numbers[0]).toMatchObject({ blocked: false, pending: [] });
    expect((await http('GET', `/numbers/${phone.slice(1)}/history`, { token: readerToken })).body.items).toEqual([]);
  });

  it('400 for malformed JSON, unknown fields, empty reasons and invalid numbers', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const path = `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`;
    const responses = await Promise.all([
      http('POST', path, { token: editorToken, body: '{"reason":' }),
      http('POST', path, { token: editorToken, body: { reason: 'x', extra: 1 } }),
      http('POST', path, { token: editorToken, body: { reason: '   ' } }),
      http('POST', `/profiles/${profileId}/whatsapp/12/block`, { token: editorToken, body: { reason: 'x' } }),
      http('PUT', `/profiles/${profileId}`, { token: adminToken, body: { whatsappNumbers: ["'; DROP TABLE consent; --"] } }),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(response.contentType).toBe('application/problem+json');
      expect(response.body.errors.length).toBeGreaterThan(0);
    }
  });

  it('404 for an unknown profile, a number not on the profile, an unknown request and an unknown route', async () => {
    const profileId = await createProfile([uniquePhone()]);
    const responses = await Promise.all([
      http('GET', '/profiles/nobody-here/whatsapp', { token: readerToken }),
      http('POST', `/profiles/${profileId}/whatsapp/${uniquePhone().slice(1)}/block`, { token: editorToken, body: { reason: 'x' } }),
      http('GET', '/requests/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: readerToken }),
      http('GET', '/nowhere', { token: readerToken }),
    ]);
    expect(responses.map((response) => response.status)).toEqual([404, 404, 404, 404]);
  });

  it('413 for a body over 64 KiB, with problem+json', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const response = await http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`, {
      token: editorToken,
      body: { reason: 'x'.repeat(70 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.contentType).toBe('application/problem+json');
  });

  it('422 for an Idempotency-Key reused with another body; the same body gets the same request', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const path = `/profiles/${profileId}/whatsapp/${phone.slice(1)}/unblock`;
    const headers = { 'idempotency-key': `key-${phone}` };

    const first = await http('POST', path, { token: editorToken, body: { reason: 'retry me' }, headers });
    const retry = await http('POST', path, { token: editorToken, body: { reason: 'retry me' }, headers });
    const other = await http('POST', path, { token: editorToken, body: { reason: 'something else' }, headers });

    expect(first.status).toBe(202);
    expect(retry.body.requestId).toBe(first.body.requestId);
    expect(other.status).toBe(422);
    await settledStatus(first.body.requestId);
    expect((await http('GET', `/numbers/${phone.slice(1)}/history`, { token: readerToken })).body.items).toHaveLength(1);
  });

  it('never answers 5xx to odd input', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const reasons = ['\u0000', '\ud800', '\u202eevil', '{"$ne":null}', 'a'.repeat(5000)];
    // Path segments as an attacker would send them: already percent-encoded, some of them broken.
    const segments = ['%00', '%ED%A0%80', '%E2%80%AEevil', '%', '%25', '..%2F..%2Fetc', 'a'.repeat(3000), '%7B%22%24ne%22%3Anull%7D'];
    for (const [index, segment] of segments.entries()) {
      const reason = reasons[index % reasons.length]!;
      const responses = await Promise.all([
        http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`, { token: editorToken, body: `{"reason":${JSON.stringify(reason)}}` }),
        http('GET', `/numbers/${segment}/history`, { token: readerToken }),
        http('GET', `/profiles/${segment}/whatsapp/history?cursor=${segment}`, { token: readerToken }),
      ]);
      for (const response of responses) expect(response.status).toBeLessThan(500);
    }
  });
});

describe('bodies that are not JSON', () => {
  it('415 problem+json for form fields, text and a body without a content type, and nothing is queued or recorded', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const path = `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`;
    const untyped = await fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editorToken}` },
      body: Buffer.from('{"reason":"no content type"}'), // bytes: fetch adds no Content-Type of its own
    });

    // act
    const responses = [
      await http('POST', path, { token: editorToken, body: 'reason=form+fields', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      await http('POST', path, { token: editorToken, body: { reason: 'JSON, said to be text' }, headers: { 'content-type': 'text/plain' } }),
      await http('PUT', `/profiles/${profileId}`, { token: adminToken, body: 'whatsappNumbers\n+420777123456', headers: { 'content-type': 'text/csv' } }),
      { status: untyped.status, contentType: untyped.headers.get('content-type') ?? '', body: await untyped.json() },
    ];

    // assess
    for (const response of responses) {
      expect(response).toMatchObject({
        status: 415,
        contentType: 'application/problem+json',
        body: {
          type: '/problems/unsupported-media-type',
          title: 'Unsupported media type',
          status: 415,
          detail: 'The body must be JSON, sent with Content-Type: application/json.',
          errors: [{ field: 'header.content-type', message: 'must be application/json (or a +json type), in UTF-8' }],
        },
      });
    }
    const view = await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken });
    expect(view.body.numbers).toEqual([expect.objectContaining({ phone, blocked: false, pending: [] })]);
  });

  it('reads JSON declared with a charset, and ignores the content type of a request without a body', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);

    const accepted = await http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`, {
      token: editorToken,
      body: { reason: 'with a charset' },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    const read = await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken, headers: { 'content-type': 'text/csv' } });

    expect(accepted.status).toBe(202);
    expect(read.status).toBe(200);
  });
});

describe('field errors in the service\'s own words', () => {
  it('words lists, types, bounds and unknown fields as the service does', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);

    // act
    const [noNumbers, wrongType, reasonless, badLimit, unknownField] = await Promise.all([
      http('PUT', `/profiles/${profileId}`, { token: adminToken, body: { whatsappNumbers: [] } }),
      http('PUT', `/profiles/${profileId}`, { token: adminToken, body: { whatsappNumbers: [420777123456] } }),
      http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`, { token: editorToken, body: {} }),
      http('GET', `/numbers/${phone.slice(1)}/history?limit=0`, { token: readerToken }),
      http('POST', '/blocklist/check', { token: readerToken, body: { phones: [phone], dryRun: true } }),
    ]);

    // assess
    expect(noNumbers.body.errors).toEqual([{ field: 'body.whatsappNumbers', message: 'must list at least 1 item' }]);
    expect(wrongType.body.errors).toEqual([{ field: 'body.whatsappNumbers.0', message: 'must be a string' }]);
    expect(reasonless.body.errors).toEqual([{ field: 'body.reason', message: 'is required' }]);
    expect(badLimit.body.errors).toEqual([{ field: 'query.limit', message: 'must be at least 1' }]);
    expect(unknownField.body.errors).toEqual([{ field: 'body', message: 'has unknown fields: dryRun' }]);
  });
});

describe('the blocklist check, with entries that are no number', () => {
  it('lists an entry too long or not a string in invalid, as given, and checks the others', async () => {
    const phone = uniquePhone();
    const tooLong = '1'.repeat(257);

    const response = await http('POST', '/blocklist/check', { token: readerToken, body: { phones: [phone, tooLong, 420777123456, null, { phone }] } });

    expect(response).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(response.body).toEqual({ blocked: [], optedOut: [], sendable: [phone], invalid: [tooLong, 420777123456, null, { phone }] });
  });

  it('400, not 500, for an entry nested deeper than any JSON the service reads', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

    const response = await http('POST', '/blocklist/check', { token: readerToken, body: `{"phones":["+420777123456",${deep}]}` });

    expect(response).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'body', message: 'must not nest arrays and objects more than 32 levels deep' }] },
    });
  });
});

describe('history pages', () => {
  it('end with nextCursor null, also when the last page is exactly full', async () => {
    // prepare: two applied requests on one number
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    for (const action of ['block', 'unblock']) {
      const accepted = await http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/${action}`, { token: editorToken, body: { reason: action } });
      await settledStatus(accepted.body.requestId);
    }
    const historyPage = async (path: string, query: string) => (await http('GET', `${path}?${query}`, { token: readerToken })).body;

    for (const path of [`/numbers/${phone.slice(1)}/history`, `/profiles/${profileId}/whatsapp/history`]) {
      // act
      const whole = await historyPage(path, 'limit=2');
      const first = await historyPage(path, 'limit=1');
      const second = await historyPage(path, `limit=1&cursor=${first.nextCursor}`);

      // assess
      expect(whole.items.map((item: { action: string }) => item.action)).toEqual(['unblock', 'block']);
      expect(whole.nextCursor).toBeNull();
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(second.items).toEqual([whole.items[1]]);
      expect(second.nextCursor).toBeNull();
    }
  });
});

/** Runs `npm run token` (its script, without npm) with the arguments. */
function tokenCommand(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), join(PROJECT_ROOT, 'infra/local/token.ts'), ...args], { cwd: PROJECT_ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('npm run token', () => {
  const USAGE = /^usage: npm run --silent token -- --user NAME /m;

  it('prints a token the stack accepts', async () => {
    const { code, stdout } = await tokenCommand('--user', 'rita', '--expires-in', '60');

    expect(code).toBe(0);
    expect((await http('GET', '/profiles/nobody-here/whatsapp', { token: stdout.trim() })).status).toBe(404);
  });

  it('prints its usage for --help, and exits 0', async () => {
    const { code, stdout, stderr } = await tokenCommand('--help');

    expect(code).toBe(0);
    expect(stdout).toMatch(USAGE);
    expect(stdout).toContain('--expires-in SECONDS');
    expect(stderr).toBe('');
  });

  it.each([
    ['an unknown option', ['--user', 'rita', '--bogus'], "Unknown option '--bogus'"],
    ['a missing --user', ['--group', 'profile-admins'], '--user is required'],
    ['an --expires-in that is no whole number', ['--user', 'rita', '--expires-in', 'soon'], '--expires-in must be a whole number of seconds'],
    ['a fractional --expires-in', ['--user', 'rita', '--expires-in', '1.5'], '--expires-in must be a whole number of seconds'],
  ])('prints why and its usage for %s, without a stack trace, and exits 2', async (_label, args, reason) => {
    const { code, stdout, stderr } = await tokenCommand(...args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(reason);
    expect(stderr).toMatch(USAGE);
    expect(stderr).not.toMatch(/^\s+at |node:internal|throw /m);
  });
});
