import { isExpired, userFromToken } from '../../../web/src/auth/token-claims.js';

/** The console mirrors the token's claims with the service's own permission rules. */

/** An access token with the claims (and `token_use: access`, unless the claims say otherwise). */
function token(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'RS256' })}.${encode({ token_use: 'access', ...claims })}.signature`;
}

const exp = Math.floor(Date.now() / 1000) + 3600;

describe('userFromToken', () => {
  it('lets members of whatsapp-blocklist-editors edit, in the array and the API Gateway string forms', () => {
    expect(userFromToken(token({ sub: 's', username: 'erin', 'cognito:groups': ['whatsapp-blocklist-editors'], exp }))).toEqual({
      name: 'erin',
      canEdit: true,
      canManagePersonalData: false,
      expiresAt: exp * 1000,
    });
    expect(userFromToken(token({ sub: 's', username: 'erin', 'cognito:groups': '[profile-admins whatsapp-blocklist-editors]', exp }))?.canEdit).toBe(true);
  });

  it('lets a machine client with the edit scope edit, and nobody else', () => {
    expect(userFromToken(token({ sub: 'client', client_id: 'client', scope: 'whatsapp-blocklist/edit', exp }))).toMatchObject({ name: 'client', canEdit: true });
    expect(userFromToken(token({ sub: 's', username: 'rita', 'cognito:groups': ['profile-admins'], exp }))?.canEdit).toBe(false);
    expect(userFromToken(token({ sub: 's', username: 'rita', exp }))?.canEdit).toBe(false);
  });

  it('lets privacy officers, and machine clients with the privacy scope, manage personal data, and nobody else', () => {
    expect(userFromToken(token({ sub: 's', username: 'petra', 'cognito:groups': ['privacy-officers'], exp }))).toMatchObject({ canEdit: false, canManagePersonalData: true });
    expect(userFromToken(token({ sub: 'client', client_id: 'client', scope: 'privacy/manage', exp }))?.canManagePersonalData).toBe(true);
    expect(userFromToken(token({ sub: 's', username: 'erin', 'cognito:groups': '[profile-admins whatsapp-blocklist-editors]', exp }))?.canManagePersonalData).toBe(false);
  });

  it('reads non-ASCII names', () => {
    expect(userFromToken(token({ sub: 's', username: 'Zuzana Nováková 📞', exp }))?.name).toBe('Zuzana Nováková 📞');
  });

  it('refuses what is not an access token with a subject', () => {
    expect(userFromToken('not-a-token')).toBeUndefined();
    expect(userFromToken('a.!!!.c')).toBeUndefined();
    expect(userFromToken(token({ username: 'no subject' }))).toBeUndefined();
    expect(userFromToken(token({ sub: 's', username: 'erin', token_use: 'id', exp }))).toBeUndefined();
    expect(userFromToken(`a.${Buffer.from('[1,2]').toString('base64url')}.c`)).toBeUndefined();
  });
});

describe('isExpired', () => {
  it('counts a token as expired from its exp on', () => {
    const user = userFromToken(token({ sub: 's', username: 'erin', exp: 1_000 }))!;
    expect(isExpired(user, 999_999)).toBe(false);
    expect(isExpired(user, 1_000_000)).toBe(true);
  });
});
