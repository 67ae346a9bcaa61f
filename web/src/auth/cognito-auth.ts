import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { CONSOLE_BASE } from '../base.js';
import type { CognitoAuthConfig } from '../config.js';
import type { Auth } from './auth.js';
import { isExpired, userFromToken } from './token-claims.js';

export const CALLBACK_PATH = `${CONSOLE_BASE}callback`;

/**
 * Cognito's managed login: authorisation code with PKCE through oidc-client-ts. The endpoints are given
 * rather than discovered, so the console talks to the hosted domain only (the content security policy
 * names it and the API, nothing else). Cognito's logout is not OIDC RP-initiated logout: signing out
 * forgets the tokens here and then visits the hosted domain's `/logout`.
 */
export class CognitoAuth implements Auth {
  readonly kind = 'cognito';
  private readonly manager: UserManager;
  private current: User | null = null;

  constructor(private readonly config: CognitoAuthConfig) {
    const domain = config.domain.replace(/\/+$/, '');
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: `${location.origin}${CALLBACK_PATH}`,
      response_type: 'code',
      scope: 'openid email profile',
      metadata: {
        issuer: config.authority,
        authorization_endpoint: `${domain}/oauth2/authorize`,
        token_endpoint: `${domain}/oauth2/token`,
        userinfo_endpoint: `${domain}/oauth2/userInfo`,
        revocation_endpoint: `${domain}/oauth2/revoke`,
      },
      loadUserInfo: false,
      automaticSilentRenew: false,
      userStore: new WebStorageStateStore({ store: sessionStorage }),
    });
  }

  async start(): Promise<string | undefined> {
    if (location.pathname === CALLBACK_PATH) {
      const user = await this.manager.signinRedirectCallback();
      this.current = user;
      const returnTo = (user.state as { returnTo?: unknown } | undefined)?.returnTo;
      return typeof returnTo === 'string' && returnTo.startsWith(CONSOLE_BASE) ? returnTo : CONSOLE_BASE;
    }
    this.current = await this.manager.getUser();
    return undefined;
  }

  user() {
    if (!this.current || this.current.expired) return undefined;
    const user = userFromToken(this.current.access_token);
    return user && !isExpired(user) ? user : undefined;
  }

  async token(): Promise<string | undefined> {
    return this.user() ? this.current?.access_token : undefined;
  }

  /** Off to the managed login; Cognito sends the person back to `returnTo` after the callback. */
  async signIn(returnTo: string): Promise<void> {
    await this.manager.signinRedirect({ state: { returnTo } });
  }

  async forget(): Promise<void> {
    this.current = null;
    await this.manager.removeUser();
  }

  async signOut(): Promise<void> {
    await this.forget();
    const logout = new URL(`${this.config.domain.replace(/\/+$/, '')}/logout`);
    logout.searchParams.set('client_id', this.config.clientId);
    logout.searchParams.set('logout_uri', `${location.origin}${CONSOLE_BASE}`);
    location.assign(logout.href);
  }
}
