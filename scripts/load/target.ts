import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { GROUPS } from '../../shared/domain/permissions.js';
import { LOCAL_TOKEN_PATH } from '../../infra/local/local-site.js';
import { LOCAL_WHATSAPP_APP_SECRET } from '../../infra/local/stack.js';

/** Why the run cannot start against this target; the message says what to do. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(plain) === 4) return plain.startsWith('127.');
  if (isIP(plain) === 6) {
    if (plain === '::1' || plain === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
    return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
  }
  return false;
}

/**
 * Refuses any target that is not on this machine's loopback interface: an address, or a name every one
 * of whose addresses is loopback (`localhost`).
 */
export async function assertLoopback(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (!isLoopbackAddress(host)) throw new TargetError(`${url.origin} is not a loopback address; the load run only targets a local stack on this machine.`);
    return;
  }
  const addresses = await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0 || !addresses.every(({ address }) => isLoopbackAddress(address))) {
    throw new TargetError(`${url.origin} does not resolve to loopback addresses only; the load run only targets a local stack on this machine.`);
  }
}

export interface Target {
  url: URL;
  /** A token of a user who may read, edit the blocklist and write profiles (check needs any token). */
  token: string;
  /** The webhook's app secret, as `npm start` reads it. */
  appSecret: string;
}

/** The user the run acts as, in the groups that grant every permission it needs. */
export const LOAD_USER = 'load-runner';

/**
 * Finds the local stack at `url`: it must answer `/health`, and hand out a token at its local token
 * endpoint (which exists only in the local stack, so an API in AWS is refused here too).
 */
export async function connect(url: URL): Promise<Target> {
  await assertLoopback(url);
  const health = await fetch(new URL('/health', url), { redirect: 'manual', signal: AbortSignal.timeout(5000) }).catch((error: unknown) => {
    throw new TargetError(`No local stack answers at ${url.origin} (${causeOf(error)}). Start it with \`npm start\` first.`);
  });
  await health.arrayBuffer();
  if (health.status !== 200) throw new TargetError(`${url.origin} answers ${health.status} on /health: is it the local stack? Start it with \`npm start\`.`);

  const response = await fetch(new URL(LOCAL_TOKEN_PATH, url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: LOAD_USER, groups: [GROUPS.blocklistEditors, GROUPS.profileAdmins] }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json().catch(() => undefined)) as { access_token?: unknown } | undefined;
  if (response.status !== 200 || typeof body?.access_token !== 'string') {
    throw new TargetError(`${url.origin} is no local stack: ${LOCAL_TOKEN_PATH} answers ${response.status}. Start one with \`npm start\`.`);
  }
  return { url, token: body.access_token, appSecret: process.env['WHATSAPP_APP_SECRET'] || LOCAL_WHATSAPP_APP_SECRET };
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
