import type { LocalAuthConfig } from '../config.js';
import type { Auth } from './auth.js';
import { isExpired, userFromToken } from './token-claims.js';

const STORAGE_KEY = 'whatsapp-consent.local-token';

/**
 * The local stack's sign-in: a user name and groups, sent to the local-only token endpoint, which signs
 * a Cognito-shaped token with the local key. The token lives in this tab's session storage.
 */
export class LocalAuth implements Auth {
  readonly kind = 'local';

  constructor(readonly config: LocalAuthConfig) {}

  async start(): Promise<undefined> {
    return undefined;
  }

  user() {
    const token = sessionStorage.getItem(STORAGE_KEY);
    const user = token ? userFromToken(token) : undefined;
    return user && !isExpired(user) ? user : undefined;
  }

  async token(): Promise<string | undefined> {
    return this.user() ? (sessionStorage.getItem(STORAGE_KEY) ?? undefined) : undefined;
  }

  /** @throws Error with the token endpoint's explanation when it refuses. */
  async signIn(user: string, groups: string[]): Promise<void> {
    const response = await fetch(this.config.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, groups }),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; detail?: string };
    if (!response.ok || !body.access_token) throw new Error(body.detail ?? `Sign-in failed (${response.status}).`);
    sessionStorage.setItem(STORAGE_KEY, body.access_token);
  }

  async forget(): Promise<void> {
    sessionStorage.removeItem(STORAGE_KEY);
  }

  async signOut(): Promise<void> {
    sessionStorage.removeItem(STORAGE_KEY);
  }
}
