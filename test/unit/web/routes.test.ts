import fc from 'fast-check';
import { consoleHref, routeOf } from '../../../web/src/routes.js';

/** The console's paths: every page is a link that survives a reload. */

describe('routeOf', () => {
  it.each([
    ['/console/', { page: 'home' }],
    ['/console', { page: 'not-found' }],
    ['/console/callback', { page: 'home' }],
    ['/console/profiles/p-42', { page: 'profile', profileId: 'p-42' }],
    ['/console/profiles/p-42/', { page: 'profile', profileId: 'p-42' }],
    ['/console/numbers/%2B420777123456', { page: 'number', phone: '+420777123456' }],
    ['/console/numbers/420777123456', { page: 'number', phone: '420777123456' }],
    ['/console/profiles/', { page: 'not-found' }],
    ['/console/profiles/a/b', { page: 'not-found' }],
    ['/console/numbers/%E0%A4%A', { page: 'not-found' }],
    ['/console/elsewhere/x', { page: 'not-found' }],
    ['/console/held', { page: 'held' }],
    ['/console/held/', { page: 'held' }],
    ['/console/unresolved', { page: 'unresolved' }],
    ['/console/held/%2B420777123456', { page: 'not-found' }],
    ['/console/unresolved/x', { page: 'not-found' }],
    ['/console/profiles', { page: 'not-found' }],
    ['/console/constructor', { page: 'not-found' }],
    ['/other', { page: 'not-found' }],
  ])('%s is %j', (path, route) => {
    expect(routeOf(path)).toEqual(route);
  });

  it('reads back the links of the lists', () => {
    expect(routeOf(consoleHref.held())).toEqual({ page: 'held' });
    expect(routeOf(consoleHref.unresolved())).toEqual({ page: 'unresolved' });
  });

  it('reads back whatever profile id or number a link was made for', () => {
    fc.assert(
      // `.` and `..` are dot segments in a URL path, which browsers resolve away; no profile id is one.
      fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((id) => id !== '.' && id !== '..'), (id) => {
        expect(routeOf(new URL(consoleHref.profile(id), 'https://console.example').pathname)).toEqual({ page: 'profile', profileId: id });
        expect(routeOf(new URL(consoleHref.number(id), 'https://console.example').pathname)).toEqual({ page: 'number', phone: id });
      }),
    );
  });
});
