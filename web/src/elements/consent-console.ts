import { LitElement, css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { TokenGetter } from '../api/consent-api.js';
import type { Auth } from '../auth/auth.js';
import type { CognitoAuth } from '../auth/cognito-auth.js';
import { LocalAuth } from '../auth/local-auth.js';
import type { SignedInUser } from '../auth/token-claims.js';
import type { ConsoleConfig } from '../config.js';
import { readablePhone } from '../model/format.js';
import { consoleHref, routeOf, type Route } from '../routes.js';
import { baseStyles } from './shared-styles.js';
import { SIGNIN_REQUIRED } from './signin-required.js';
import type { LocalSignIn } from './local-sign-in.js';
import './blocked-numbers.js';
import './held-blocks.js';
import './local-sign-in.js';
import './number-view.js';
import './open-record.js';
import './profile-panel.js';
import './unresolved-recipients.js';

const PRODUCT = 'WhatsApp consent';

/** The console's own pages, in its navigation; a profile's and a number's pages are reached from them. */
const PAGES = [
  { page: 'home', href: consoleHref.home(), label: 'Open a profile or number' },
  { page: 'blocklist', href: consoleHref.blocklist(), label: 'Blocked numbers' },
  { page: 'held', href: consoleHref.held(), label: 'Held blocks' },
  { page: 'unresolved', href: consoleHref.unresolved(), label: 'Unresolved recipients' },
] as const satisfies readonly { page: Route['page']; href: string; label: string }[];

/**
 * The console's shell: sign-in and sign-out, routing by path (every page is a link that survives a
 * reload), and the pages. When the API refuses the token mid-work, a sign-in dialog opens over the page,
 * so nothing on the page is lost.
 */
export class ConsentConsole extends LitElement {
  static override properties = {
    config: { attribute: false },
    auth: { attribute: false },
    route: { state: true },
    user: { state: true },
    reSigningIn: { state: true },
    getToken: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host { display: block; min-height: 100vh; background: var(--subtle); }
      header {
        display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap;
        padding: 0.6rem 1.5rem; background: #0d2238; color: #fff;
      }
      header a.brand { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.05rem; }
      header nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; list-style: none; margin: 0; padding: 0; }
      header nav { margin-right: auto; }
      header nav a { color: #fff; text-decoration: none; padding: 0.2rem 0; border-bottom: 2px solid transparent; }
      header nav a:hover { border-bottom-color: #8aa4bf; }
      header nav a[aria-current='page'] { border-bottom-color: #fff; font-weight: 600; }
      header .account { display: flex; align-items: center; gap: 1rem; }
      header .who { color: #dce6f0; }
      header button { background: transparent; color: #fff; border-color: #8aa4bf; }
      main { max-width: 68rem; margin: 0 auto; padding: 1.5rem; }
      h1 { margin-bottom: 1rem; }
      h1:focus { outline: none; }
      .sub { color: var(--muted); margin: -0.75rem 0 1.25rem; }
      dialog { border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem 1.5rem; width: min(28rem, calc(100vw - 2rem)); }
      dialog::backdrop { background: rgb(15 20 25 / 0.45); }
      .sign-in { max-width: 30rem; }
    `,
  ];

  declare config: ConsoleConfig;
  declare auth: Auth;
  declare route: Route;
  declare user: SignedInUser | undefined;
  declare reSigningIn: boolean;
  declare getToken: TokenGetter;

  private readonly reSignInDialog = createRef<HTMLDialogElement>();
  /** The path of the page last drawn. */
  private shownPath = location.pathname;

  constructor() {
    super();
    this.route = routeOf(location.pathname, location.search);
    this.reSigningIn = false;
    this.getToken = this.newTokenGetter();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.user = this.auth.user();
    window.addEventListener('popstate', this.onLocationChange);
    this.addEventListener('navigate', this.onNavigate as EventListener);
    this.addEventListener(SIGNIN_REQUIRED, this.onSignInRequired);
    this.addEventListener('click', this.onLinkClick);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.onLocationChange);
    this.removeEventListener('navigate', this.onNavigate as EventListener);
    this.removeEventListener(SIGNIN_REQUIRED, this.onSignInRequired);
    this.removeEventListener('click', this.onLinkClick);
  }

  override updated(changed: Map<PropertyKey, unknown>) {
    document.title = [this.pageTitle(), PRODUCT].filter(Boolean).join(' · ');
    if (changed.has('route') && changed.get('route') !== undefined && this.shownPath !== location.pathname) {
      // Another page: its heading takes the focus. Other filters on the same page leave it where it is.
      this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
    }
    this.shownPath = location.pathname;
  }

  override render() {
    return html`
      <header>
        <a class="brand" href=${consoleHref.home()}>${PRODUCT}</a>
        ${this.user
          ? html`<nav aria-label="Console">
                <ul>
                  ${PAGES.map(
                    ({ page, href, label }) =>
                      html`<li><a href=${href} aria-current=${this.route.page === page ? 'page' : nothing}>${label}</a></li>`,
                  )}
                </ul>
              </nav>
              <div class="account">
                <span class="who">Signed in as <strong>${this.user.name}</strong></span>
                <button type="button" @click=${this.signOut}>Sign out</button>
              </div>`
          : nothing}
      </header>
      <main>${this.user ? this.renderPage() : this.renderSignIn(false)}</main>
      <dialog ${ref(this.reSignInDialog)} aria-labelledby="re-sign-in-title" @close=${() => (this.reSigningIn = false)}>
        ${this.reSigningIn
          ? html`<h2 id="re-sign-in-title">Sign in again</h2>
              ${this.renderSignIn(true)}`
          : nothing}
      </dialog>
    `;
  }

  private renderPage() {
    const route = this.route;
    switch (route.page) {
      case 'home':
        return html`<h1 tabindex="-1">Open a profile or a number</h1>
          <open-record></open-record>`;
      case 'profile':
        return html`<h1 tabindex="-1">Profile ${route.profileId}</h1>
          <whatsapp-consent-profile
            .apiUrl=${this.config.apiUrl}
            .profileId=${route.profileId}
            .getToken=${this.getToken}
          ></whatsapp-consent-profile>`;
      case 'number':
        return html`<h1 tabindex="-1">Number ${readablePhone(route.phone)}</h1>
          <whatsapp-consent-number .apiUrl=${this.config.apiUrl} .phone=${route.phone} .getToken=${this.getToken}></whatsapp-consent-number>`;
      case 'blocklist':
        return html`<h1 tabindex="-1">Blocked numbers</h1>
          <blocked-numbers .apiUrl=${this.config.apiUrl} .filter=${route.filter} .getToken=${this.getToken}></blocked-numbers>`;
      case 'held':
        return html`<h1 tabindex="-1">Held automatic blocks</h1>
          <held-blocks .apiUrl=${this.config.apiUrl} .getToken=${this.getToken}></held-blocks>`;
      case 'unresolved':
        return html`<h1 tabindex="-1">Unresolved recipients</h1>
          <unresolved-recipients .apiUrl=${this.config.apiUrl} .getToken=${this.getToken}></unresolved-recipients>`;
      case 'not-found':
        return html`<h1 tabindex="-1">Page not found</h1>
          <p>There is no page at this address. <a href=${consoleHref.home()}>Open a profile or a number</a>.</p>`;
    }
  }

  /** The sign-in of this deployment; `again` when the API refused a token while the page was open. */
  private renderSignIn(again: boolean) {
    const intro = again
      ? html`<p>Your session has ended. Sign in again to carry on; this page stays as it is.</p>`
      : html`<h1 tabindex="-1">Sign in</h1>
          <p>Sign in to see and change the WhatsApp consent of customer profiles.</p>`;
    if (this.auth instanceof LocalAuth) {
      return html`<div class="sign-in">
        ${intro}
        <p class="muted">Local stack: choose a user name and groups; the local token issuer signs your token.</p>
        <local-sign-in .auth=${this.auth} @signed-in=${this.onSignedIn}></local-sign-in>
      </div>`;
    }
    const cognito = this.auth as CognitoAuth;
    return html`<div class="sign-in">
      ${intro}
      <button class="primary" type="button" @click=${() => cognito.signIn(location.pathname + location.search)}>Sign in</button>
    </div>`;
  }

  private pageTitle(): string {
    if (!this.user) return 'Sign in';
    switch (this.route.page) {
      case 'home':
        return '';
      case 'profile':
        return `Profile ${this.route.profileId}`;
      case 'number':
        return `Number ${this.route.phone}`;
      case 'blocklist':
        return 'Blocked numbers';
      case 'held':
        return 'Held automatic blocks';
      case 'unresolved':
        return 'Unresolved recipients';
      case 'not-found':
        return 'Page not found';
    }
  }

  /** A new getter per session: pages see the property change and load again with the new token. */
  private newTokenGetter(): TokenGetter {
    return () => this.auth.token();
  }

  private onSignedIn = () => {
    this.user = this.auth.user();
    this.getToken = this.newTokenGetter();
    this.reSignInDialog.value?.close();
  };

  private onSignInRequired = () => {
    void this.auth.forget();
    if (!this.user || this.reSigningIn) return;
    this.reSigningIn = true;
    void this.updateComplete.then(async () => {
      this.reSignInDialog.value?.showModal();
      const form = this.renderRoot.querySelector<LocalSignIn>('dialog local-sign-in');
      await form?.updateComplete;
      form?.focus();
    });
  };

  private signOut = async () => {
    await this.auth.signOut();
    this.user = undefined;
  };

  private onNavigate = (event: CustomEvent<string>) => {
    this.go(event.detail);
  };

  /** Links inside the console (in any shadow root) change the page without a reload. */
  private onLinkClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.composedPath().find((node): node is HTMLAnchorElement => node instanceof HTMLAnchorElement);
    if (!anchor || anchor.target || anchor.origin !== location.origin || routeOf(anchor.pathname).page === 'not-found') return;
    event.preventDefault();
    this.go(anchor.pathname + anchor.search);
  };

  private go(href: string): void {
    if (href !== location.pathname + location.search) history.pushState(null, '', href);
    this.onLocationChange();
  }

  private onLocationChange = () => {
    this.route = routeOf(location.pathname, location.search);
  };
}

customElements.define('consent-console', ConsentConsole);

declare global {
  interface HTMLElementTagNameMap {
    'consent-console': ConsentConsole;
  }
}

