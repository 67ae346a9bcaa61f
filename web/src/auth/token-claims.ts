import { callerFromClaims, type Caller } from '../../../shared/domain/caller.js';
import { can } from '../../../shared/domain/permissions.js';

/**
 * What the console reads from the access token: who is signed in, what they may do, and until
 * when the token is good. The page only mirrors the claims, with the service's own permission rules;
 * the API checks the token's signature and decides.
 */
export interface SignedInUser {
  name: string;
  canEdit: boolean;
  /** Holds "Manage personal data": may download and erase what is held about a number. */
  canManagePersonalData: boolean;
  /** Milliseconds since the epoch; `Infinity` when the token says nothing. */
  expiresAt: number;
}

export function userFromToken(token: string): SignedInUser | undefined {
  const claims = decodePayload(token);
  const caller: Caller | undefined = claims ? callerFromClaims(claims) : undefined;
  if (!claims || !caller) return undefined;
  const exp = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : Infinity;
  return { name: caller.username, canEdit: can(caller, 'whatsapp-blocklist:edit'), canManagePersonalData: can(caller, 'privacy:manage'), expiresAt: exp };
}

export function isExpired(user: SignedInUser, now = Date.now()): boolean {
  return user.expiresAt <= now;
}

function decodePayload(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
