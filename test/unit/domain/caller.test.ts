import fc from 'fast-check';
import { callerFromClaims } from '../../../shared/domain/caller.js';

/** Claims of a Cognito access token, as the authorizer passes them. */
const read = (claims: Record<string, unknown>) => callerFromClaims({ token_use: 'access', ...claims });

describe('callerFromClaims', () => {
  it.each([
    ['an ID token', { sub: 'sub-1', username: 'alice', token_use: 'id', 'cognito:groups': '[whatsapp-blocklist-editors]' }],
    ['a refresh or other token', { sub: 'sub-1', token_use: 'refresh' }],
    ['a token that does not say what it is', { sub: 'sub-1', username: 'alice' }],
  ])('names nobody for %s: only a Cognito access token authorises a call', (_, claims) => {
    expect(callerFromClaims(claims)).toBeUndefined();
  });

  it('reads claims in the API Gateway HTTP API form: groups as "[a b]", scopes space-separated', () => {
    const caller = read({
      sub: 'sub-1',
      username: 'alice',
      'cognito:groups': '[whatsapp-blocklist-editors profile-admins]',
      scope: 'whatsapp-blocklist/edit profiles/write',
    });

    expect(caller).toEqual({
      sub: 'sub-1',
      username: 'alice',
      groups: new Set(['whatsapp-blocklist-editors', 'profile-admins']),
      scopes: new Set(['whatsapp-blocklist/edit', 'profiles/write']),
    });
  });

  it('reads groups given as a real array (REST APIs and tests)', () => {
    const caller = read({ sub: 'sub-1', 'cognito:groups': ['whatsapp-blocklist-editors', 'profile-admins'] });

    expect(caller?.groups).toEqual(new Set(['whatsapp-blocklist-editors', 'profile-admins']));
  });

  it.each([
    ['[]', []],
    ['[editors]', ['editors']],
    ['editors', ['editors']],
    ['[a,b]', ['a', 'b']],
    ['[a  b]', ['a', 'b']],
  ])('reads the group string %j as %j', (groups, expected) => {
    expect(read({ sub: 'sub-1', 'cognito:groups': groups })?.groups).toEqual(new Set(expected));
  });

  it('gives a caller without groups or scope claims empty sets', () => {
    expect(read({ sub: 'sub-1' })).toEqual({ sub: 'sub-1', username: 'sub-1', groups: new Set(), scopes: new Set() });
  });

  it('ignores repeated spaces in the scope claim', () => {
    expect(read({ sub: 'sub-1', scope: ' a/b   c/d ' })?.scopes).toEqual(new Set(['a/b', 'c/d']));
  });

  it.each([
    [{ username: 'u', 'cognito:username': 'cu', email: 'e@example.com', client_id: 'client', sub: 's' }, 'u'],
    [{ 'cognito:username': 'cu', email: 'e@example.com', client_id: 'client', sub: 's' }, 'cu'],
    [{ email: 'e@example.com', client_id: 'client', sub: 's' }, 'e@example.com'],
    [{ client_id: 'client', sub: 's' }, 'client'],
    [{ sub: 's' }, 's'],
  ])('takes the audit name from the first of username, cognito:username, email, client_id, sub: %j → %s', (claims, expected) => {
    expect(read(claims)?.username).toBe(expected);
  });

  it.each([
    ['no sub', { username: 'alice' }],
    ['an empty sub', { sub: '', username: 'alice' }],
    ['a numeric sub', { sub: 42 }],
    ['groups of the wrong type', { sub: 's', 'cognito:groups': 7 }],
    ['a scope of the wrong type', { sub: 's', scope: { edit: true } }],
  ])('refuses claims with %s', (_label, claims) => {
    expect(read(claims)).toBeUndefined();
  });

  it.each([undefined, null, 'sub', 42, [], ['sub']])('refuses claims that are not an object: %j', (claims) => {
    expect(callerFromClaims(claims)).toBeUndefined();
  });

  it('reads a scope claim given as a list the same as a space-separated one', () => {
    const caller = read({ sub: 'client-1', scope: ['whatsapp-blocklist/edit', 'profiles/write'] });
    expect(caller?.scopes).toEqual(new Set(['whatsapp-blocklist/edit', 'profiles/write']));
  });

  it('skips empty name claims when choosing the name for the audit', () => {
    const caller = read({ sub: 'sub-1', username: '', 'cognito:username': ' ', email: 'erin@example.com' });
    expect(caller?.username).toBe('erin@example.com');
  });

  it('never throws on arbitrary input, and any caller it returns has a subject and came from an access token', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              token_use: fc.constantFrom('access', 'id'),
              sub: fc.string(),
              username: fc.string(),
              'cognito:groups': fc.oneof(fc.string(), fc.array(fc.string())),
              scope: fc.string(),
            },
            { requiredKeys: [] },
          ),
        ),
        (claims) => {
          const caller = callerFromClaims(claims);
          if (caller !== undefined) {
            expect(caller.sub.length).toBeGreaterThan(0);
            expect(claims).toMatchObject({ token_use: 'access' });
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
