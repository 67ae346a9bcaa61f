import { css, html } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { NumberConsent } from '../api/types.js';
import { errorMessage } from '../model/error-words.js';
import { ApiElement } from './api-element.js';
import { numberIdentity, numberState, numberStateStyles } from './number-state.js';
import { baseStyles, panelStyles } from './shared-styles.js';
import { requestSignInIfRefused } from './signin-required.js';
import type { ConsentHistory } from './consent-history.js';
import './consent-history.js';
import './personal-data-actions.js';

/**
 * One number, whichever profiles hold it: its consent state and its whole history (every profile's
 * changes and the provider's events). Changes are made on a profile's page, which records the profile.
 * Privacy officers also get the number's personal data, to download or erase.
 */
export class NumberView extends ApiElement {
  static override properties = {
    phone: { type: String },
    number: { state: true },
    loadError: { state: true },
  };

  static override styles = [baseStyles, panelStyles, numberStateStyles, css`personal-data-actions { margin-top: 2rem; }`];

  declare phone: string;
  declare number: NumberConsent | undefined;
  declare loadError: unknown;
  protected readonly subjectKey = 'phone';
  private readonly history = createRef<ConsentHistory>();

  constructor() {
    super();
    this.phone = '';
  }

  protected async load(): Promise<void> {
    try {
      this.number = await this.api.number(this.phone);
      this.loadError = undefined;
    } catch (error) {
      this.loadError = error;
      requestSignInIfRefused(this, error);
    }
  }

  override render() {
    if (this.loadError && !this.number) {
      return html`<p class="notice error" role="alert">This number could not be loaded. ${errorMessage(this.loadError)}</p>`;
    }
    if (!this.number) return html`<p class="muted" role="status">Loading the number…</p>`;
    const phone = this.number.phone;
    return html`
      <section aria-labelledby="state-heading" class="card">
        <h2 id="state-heading">WhatsApp Subscription Status</h2>
        <p>${numberIdentity(phone)}</p>
        ${numberState(this.number)}
        <p class="muted">Consent belongs to the number: it applies to every profile that holds it. To block or unblock it, open one of those profiles.</p>
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <p class="muted">Every change to this number, on any profile, and the WhatsApp provider's reports.</p>
        <consent-history
          ${ref(this.history)}
          perspective="number"
          .loader=${(cursor: string | null) => this.api.numberHistory(phone, cursor)}
        ></consent-history>
      </section>
      <personal-data-actions
        .apiUrl=${this.apiUrl}
        .getToken=${this.getToken}
        .phone=${phone}
        @personal-data-erased=${this.onErased}
      ></personal-data-actions>
    `;
  }

  /** What an erasure left: the number (a suppression record, or nothing) and its history (none). */
  private onErased = async () => {
    await Promise.all([this.load(), this.history.value?.reload()]);
  };
}

customElements.define('whatsapp-consent-number', NumberView);

declare global {
  interface HTMLElementTagNameMap {
    'whatsapp-consent-number': NumberView;
  }
}
