/**
 * What a load run sends: the routes, their shares of the run, and the order they come in.
 */

export const ROUTES = {
  profile: { label: 'GET /profiles/{profileId}/whatsapp', expect: 200 },
  block: { label: 'POST /profiles/{profileId}/whatsapp/{phone}/block', expect: 202 },
  unblock: { label: 'POST /profiles/{profileId}/whatsapp/{phone}/unblock', expect: 202 },
  check: { label: 'POST /blocklist/check', expect: 200 },
  webhook: { label: 'POST /webhooks/whatsapp', expect: 200 },
} as const;

export type RouteName = keyof typeof ROUTES;
export const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

/** Each route's share of the requests, in percent. */
export const WEIGHTS: Record<RouteName, number> = { profile: 30, block: 15, unblock: 10, check: 20, webhook: 25 };

/**
 * How many requests of each route a run of `total` sends: the weights' shares, rounded by largest
 * remainder so that they add up to `total` exactly (ties go to the route listed first).
 */
export function routeCounts(total: number): Record<RouteName, number> {
  const weightSum = ROUTE_NAMES.reduce((sum, name) => sum + WEIGHTS[name], 0);
  const exact = ROUTE_NAMES.map((name) => ({ name, share: (total * WEIGHTS[name]) / weightSum }));
  const counts = Object.fromEntries(exact.map(({ name, share }) => [name, Math.floor(share)])) as Record<RouteName, number>;
  let left = total - ROUTE_NAMES.reduce((sum, name) => sum + counts[name], 0);
  const byRemainder = [...exact].sort((a, b) => b.share - Math.floor(b.share) - (a.share - Math.floor(a.share)));
  for (const { name } of byRemainder) {
    if (left-- <= 0) break;
    counts[name] += 1;
  }
  return counts;
}

/**
 * The routes in the order they are sent: interleaved as evenly as their counts allow (smooth weighted
 * round robin), so every stretch of the run carries the same mix. Route `i` is sent at the `i`-th tick.
 */
export function routeOrder(total: number): RouteName[] {
  const counts = routeCounts(total);
  const current = Object.fromEntries(ROUTE_NAMES.map((name) => [name, 0])) as Record<RouteName, number>;
  const order: RouteName[] = [];
  for (let i = 0; i < total; i++) {
    let best: RouteName | undefined;
    for (const name of ROUTE_NAMES) {
      current[name] += counts[name];
      if (counts[name] > 0 && (best === undefined || current[name] > current[best])) best = name;
    }
    current[best!] -= total;
    order.push(best!);
  }
  return order;
}
