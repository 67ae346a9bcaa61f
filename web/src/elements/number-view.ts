import { html } from 'lit';
import type { NumberConsent } from '../api/types.js';
import { errorMessage } from '../model/error-words.js';
import { ApiElement } from './api-element.js';
import { numberIdentity, numberState, numberStateStyles } from './number-state.js';
import { baseStyles, panelStyles } from './shared-styles.js';
import { requestSignInIfRefused } from './signin-required.js';
import './consent-history.js';

/**
 * One number, whichever profiles hold it: its consent state and its whole history (every profile's
 * changes and the provider's events). Changes are made on a profile's page, which records the profile.
 */
export class NumberView extends ApiElement {
  static override properties = {
    phone: { type: String },
    number: { state: true },
    loadError: { state: true },
  };

  static override styles = [baseStyles, panelStyles, numberStateStyles];

  declare phone: string;
  declare number: NumberConsent | undefined;
  declare loadError: unknown;
  protected readonly subjectKey = 'phone';

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
          perspective="number"
          .loader=${(cursor: string | null) => this.api.numberHistory(phone, cursor)}
        ></consent-history>
      </section>
    `;
  }
}

customElements.define('whatsapp-consent-number', NumberView);

declare global {
  interface HTMLElementTagNameMap {
    'whatsapp-consent-number': NumberView;
  }
}
