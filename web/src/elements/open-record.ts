import { LitElement, css, html, nothing } from 'lit';
import { phoneFromInput } from '../model/format.js';
import { consoleHref } from '../routes.js';
import { baseStyles } from './shared-styles.js';

/** The console's start page: open a profile by its id, or a number by phone. */
export class OpenRecord extends LitElement {
  static override properties = { phoneError: { state: true }, profileError: { state: true } };

  static override styles = [
    baseStyles,
    css`
      :host { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
      form { display: grid; gap: 0.5rem; align-content: start; }
      label { font-weight: 600; }
      .row { display: flex; gap: 0.5rem; }
      .row input { flex: 1; }
      p { margin: 0; }
    `,
  ];

  declare phoneError: string | undefined;
  declare profileError: string | undefined;

  override render() {
    return html`
      <form class="card" @submit=${this.openProfile} novalidate aria-labelledby="profile-title">
        <h2 id="profile-title">Open a profile</h2>
        <label for="profile-id">Profile id</label>
        <div class="row">
          <input id="profile-id" name="profileId" type="text" autocomplete="off" maxlength="200"
            aria-invalid=${this.profileError ? 'true' : 'false'} aria-describedby="profile-hint profile-error" />
          <button type="submit" class="primary">Open profile</button>
        </div>
        <p id="profile-hint" class="muted">The customer profile's id in the CDP, such as crm-1001.</p>
        <p id="profile-error" class="error">${this.profileError ?? nothing}</p>
      </form>
      <form class="card" @submit=${this.openNumber} novalidate aria-labelledby="number-title">
        <h2 id="number-title">Open a number</h2>
        <label for="phone">Phone number</label>
        <div class="row">
          <input id="phone" name="phone" type="text" inputmode="tel" autocomplete="off" maxlength="64" placeholder="+420 777 123 456"
            aria-invalid=${this.phoneError ? 'true' : 'false'} aria-describedby="phone-hint phone-error" />
          <button type="submit" class="primary">Open number</button>
        </div>
        <p id="phone-hint" class="muted">In international form, with the country code.</p>
        <p id="phone-error" class="error">${this.phoneError ?? nothing}</p>
      </form>
    `;
  }

  private openProfile = (event: SubmitEvent) => {
    event.preventDefault();
    const profileId = String(new FormData(event.target as HTMLFormElement).get('profileId') ?? '').trim();
    this.profileError = profileId ? undefined : 'Enter a profile id.';
    if (profileId) this.navigate(consoleHref.profile(profileId));
  };

  private openNumber = (event: SubmitEvent) => {
    event.preventDefault();
    const input = String(new FormData(event.target as HTMLFormElement).get('phone') ?? '');
    const phone = phoneFromInput(input);
    this.phoneError = phone ? undefined : 'Enter a phone number in international form, such as +420 777 123 456.';
    if (phone) this.navigate(consoleHref.number(phone));
  };

  private navigate(href: string): void {
    this.dispatchEvent(new CustomEvent('navigate', { detail: href, bubbles: true, composed: true }));
  }
}

customElements.define('open-record', OpenRecord);

declare global {
  interface HTMLElementTagNameMap {
    'open-record': OpenRecord;
  }
}
