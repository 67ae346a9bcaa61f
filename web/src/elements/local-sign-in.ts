import { LitElement, css, html, nothing } from 'lit';
import type { LocalAuth } from '../auth/local-auth.js';
import { baseStyles } from './shared-styles.js';

/**
 * The local stack's sign-in form: a user name and a checkbox per group. It exists only where the local
 * stack serves the console; in AWS people sign in through Cognito.
 */
export class LocalSignIn extends LitElement {
  static override properties = {
    auth: { attribute: false },
    error: { state: true },
    busy: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      form { display: grid; gap: 0.75rem; max-width: 24rem; }
      label.field { display: grid; gap: 0.25rem; font-weight: 600; }
      fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem; margin: 0; }
      legend { font-weight: 600; padding: 0 0.25rem; }
      .check { display: flex; gap: 0.5rem; align-items: center; margin: 0.25rem 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
      button { justify-self: start; }
    `,
  ];

  declare auth: LocalAuth | undefined;
  declare error: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.busy = false;
  }

  override render() {
    const groups = this.auth?.config.groups ?? [];
    return html`
      <form @submit=${this.onSubmit} novalidate>
        <label class="field">User name <input type="text" name="user" autocomplete="username" required maxlength="64" /></label>
        <fieldset>
          <legend>Groups</legend>
          ${groups.map((group) => html`<label class="check"><input type="checkbox" name="group" value=${group} /> ${group}</label>`)}
        </fieldset>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button class="primary" type="submit" ?disabled=${this.busy}>Sign in</button>
      </form>
    `;
  }

  override focus(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[name="user"]')?.focus();
  }

  private onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const user = String(form.get('user') ?? '').trim();
    if (!user) {
      this.error = 'Enter a user name.';
      this.focus();
      return;
    }
    this.busy = true;
    try {
      await this.auth!.signIn(user, form.getAll('group').map(String));
      this.error = undefined;
      this.dispatchEvent(new CustomEvent('signed-in', { bubbles: true, composed: true }));
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.busy = false;
    }
  };
}

customElements.define('local-sign-in', LocalSignIn);

declare global {
  interface HTMLElementTagNameMap {
    'local-sign-in': LocalSignIn;
  }
}
