import { CONSOLE_BASE } from './base.js';
import { filterFromQuery, filterQuery, type BlocklistFilter } from './model/blocklist.js';

/** The console's pages and their paths; every page is a link that survives a reload. */
export type Route =
  | { page: 'home' }
  | { page: 'profile'; profileId: string }
  | { page: 'number'; phone: string }
  | { page: 'blocklist'; filter: BlocklistFilter }
  | { page: 'held' }
  | { page: 'unresolved' }
  | { page: 'not-found' };

export const consoleHref = {
  home: () => CONSOLE_BASE,
  profile: (profileId: string) => `${CONSOLE_BASE}profiles/${encodeURIComponent(profileId)}`,
  number: (phone: string) => `${CONSOLE_BASE}numbers/${encodeURIComponent(phone)}`,
  /** The blocked numbers, narrowed by the filters given, which the address keeps. */
  blocklist: (filter: BlocklistFilter = {}) => {
    const query = filterQuery(filter).toString();
    return `${CONSOLE_BASE}blocklist${query ? `?${query}` : ''}`;
  },
  held: () => `${CONSOLE_BASE}held`,
  unresolved: () => `${CONSOLE_BASE}unresolved`,
};

/** The page at a path; the query (`location.search`) holds the blocklist's filters. */
export function routeOf(pathname: string, search = ''): Route {
  if (!pathname.startsWith(CONSOLE_BASE)) return { page: 'not-found' };
  const rest = pathname.slice(CONSOLE_BASE.length).replace(/\/+$/, '');
  if (rest === '' || rest === 'callback') return { page: 'home' };
  const [section, id, ...extra] = rest.split('/');
  // The lists, with no id in their path.
  if (id === undefined && (section === 'held' || section === 'unresolved')) return { page: section };
  if (id === undefined && section === 'blocklist') return { page: 'blocklist', filter: filterFromQuery(search) };
  if (!id || extra.length > 0) return { page: 'not-found' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    return { page: 'not-found' };
  }
  if (section === 'profiles') return { page: 'profile', profileId: decoded };
  if (section === 'numbers') return { page: 'number', phone: decoded };
  return { page: 'not-found' };
}
