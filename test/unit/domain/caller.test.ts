import fc from 'fast-check';
import { callerFromClaims } from '../../../shared/domain/caller.js';

describe('callerFromClaims', () => {
  it('reads claims in the API Gateway HTTP API form: groups as "[a b]", scopes space-separated', () => {
    const caller = callerFromClaims({
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
    const caller = callerFromClaims({ sub: 'sub-1', 'cognito:groups': ['whatsapp-blocklist-editors', 'profile-admins'] });

    expect(caller?.groups).toEqual(new Set(['whatsapp-blocklist-editors', 'profile-admins']));
  });

  it.each([
    ['[]', []],
    ['[editors]', ['editors']],
    ['editors', ['editors']],
    ['[a,b]', ['a', 'b']],
    ['[a  b]', ['a', 'b']],
  ])('reads the group string %j as %j', (groups, expected) => {
    expect(callerFromClaims({ sub: 'sub-1', 'cognito:groups': groups })?.groups).toEqual(new Set(expected));
  });

  it('gives a caller without groups or scope claims empty sets', () => {
    expect(callerFromClaims({ sub: 'sub-1' })).toEqual({ sub: 'sub-1', username: 'sub-1', groups: new Set(), scopes: new Set() });
  });

  it('ignores repeated spaces in the scope claim', () => {
    expect(callerFromClaims({ sub: 'sub-1', scope: ' a/b   c/d ' })?.scopes).toEqual(new Set(['a/b', 'c/d']));
  });

  it.each([
    [{ username: 'u', 'cognito:username': 'cu', email: 'e@example.com', client_id: 'client', sub: 's' }, 'u'],
    [{ 'cognito:username': 'cu', email: 'e@example.com', client_id: 'client', sub: 's' }, 'cu'],
    [{ email: 'e@example.com', client_id: 'client', sub: 's' }, 'e@example.com'],
    [{ client_id: 'client', sub: 's' }, 'client'],
    [{ sub: 's' }, 's'],
  ])('takes the audit name from the first of username, cognito:username, email, client_id, sub: %j → %s', (claims, expected) => {
    expect(callerFromClaims(claims)?.username).toBe(expected);
  });

  it.each([
    ['no sub', { username: 'alice' }],
    ['an empty sub', { sub: '', username: 'alice' }],
    ['a numeric sub', { sub: 42 }],
    ['groups of the wrong type', { sub: 's', 'cognito:groups': 7 }],
    ['a scope of the wrong type', { sub: 's', scope: { edit: true } }],
  ])('refuses claims with %s', (_label, claims) => {
    expect(callerFromClaims(claims)).toBeUndefined();
  });

  it.each([undefined, null, 'sub', 42, [], ['sub']])('refuses claims that are not an object: %j', (claims) => {
    expect(callerFromClaims(claims)).toBeUndefined();
  });

  it('reads a scope claim given as a list the same as a space-separated one', () => {
    const caller = callerFromClaims({ sub: 'client-1', scope: ['whatsapp-blocklist/edit', 'profiles/write'] });
    expect(caller?.scopes).toEqual(new Set(['whatsapp-blocklist/edit', 'profiles/write']));
  });

  it('skips empty name claims when choosing the name for the audit', () => {
    const caller = callerFromClaims({ sub: 'sub-1', username: '', 'cognito:username': ' ', email: 'erin@example.com' });
    expect(caller?.username).toBe('erin@example.com');
  });

  it('never throws on arbitrary input, and any caller it returns has a subject', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
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
          if (caller !== undefined) expect(caller.sub.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
