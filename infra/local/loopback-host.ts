import { isIPv4, isIPv6 } from 'node:net';

/** A `Host` header: a name (letters, digits, dots, hyphens) or a bracketed IPv6 address, then a port. */
const HOST = /^(?<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** `localhost` under one or more labels: the name and its subdomains resolve to loopback only (RFC 6761). */
const LOCALHOST = /^(?:[a-z0-9-]+\.)*localhost$/;

/**
 * Whether a request's `Host` names this machine's loopback interface: `localhost` or a name under it,
 * 127.x.y.z, or `[::1]`, with or without a port. A web page of another origin whose name an attacker
 * points at 127.0.0.1 (DNS rebinding) reaches the local stack with that name, not one of these.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  const name = HOST.exec(host ?? '')?.groups?.['name']?.toLowerCase();
  if (!name) return false;
  if (LOCALHOST.test(name)) return true;
  if (isIPv4(name)) return name.startsWith('127.');
  if (name.startsWith('[')) {
    const address = name.slice(1, -1);
    return isIPv6(address) && new URL(`http://[${address}]`).hostname === '[::1]';
  }
  return false;
}
