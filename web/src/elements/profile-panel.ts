import { css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import { ApiError } from '../api/api-error.js';
import type { ConsentAction, NumberConsent, ProfileConsent } from '../api/types.js';
import { EDIT_PERMISSION, settledMessage } from '../model/consent-words.js';
import { errorMessage } from '../model/error-words.js';
import { readablePhone } from '../model/format.js';
import { pollUntil } from '../model/poll.js';
import { consoleHref } from '../routes.js';
import { ApiElement } from './api-element.js';
import { ConsentHistory } from './consent-history.js';
import { numberIdentity, numberState, numberStateStyles } from './number-state.js';
import { ReasonDialog } from './reason-dialog.js';
import { baseStyles, panelStyles } from './shared-styles.js';
import { requestSignInIfRefused } from './signin-required.js';
import './consent-history.js';
import './reason-dialog.js';

interface Announcement {
  text: string;
  tone: 'info' | 'error';
}

/**
 * The profile's "WhatsApp Subscription Status": every number with its status, a switch per number for
 * holders of "Edit WhatsApp blocklist", the reason dialog, pending requests until they settle, and the
 * profile's history. A host page embeds it with the API's URL and a token getter:
 *
 * ```html
 * <whatsapp-consent-profile api-url="https://api.example.com" profile-id="p-42"></whatsapp-consent-profile>
 * <script>document.querySelector('whatsapp-consent-profile').getToken = () => myTokenSource();</script>
 * ```
 *
 * It raises `consent-signin-required` (bubbling, composed) when the API refuses the token, so that the
 * host can sign the person in again; the page stays as it is.
 */
export class ProfilePanel extends ApiElement {
  static override properties = {
    profileId: { type: String, attribute: 'profile-id' },
    profile: { state: true },
    canEdit: { state: true },
    loadError: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    baseStyles,
    panelStyles,
    numberStateStyles,
    css`
      ul.numbers { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
      li.number {
        display: grid; grid-template-columns: 1fr auto; gap: 0.25rem 1.5rem; align-items: start;
        border: 1px solid var(--line); border-left-width: 4px; border-radius: 8px; padding: 0.9rem 1.1rem; background: var(--surface);
      }
      li.number.is-blocked { border-left-color: var(--blocked); }
      .identity, .state { grid-column: 1; }
      .identity a { margin-left: 0.5rem; font-size: 0.9rem; }
      .toggle { display: flex; align-items: center; gap: 0.6rem; grid-row: 1 / span 3; grid-column: 2; }
      button[role='switch'] {
        position: relative; width: 3.1rem; height: 1.75rem; padding: 0; border-radius: 999px;
        border: 2px solid #6e7781; background: #eef1f4;
      }
      button[role='switch']::after {
        content: ''; position: absolute; top: 0.15rem; left: 0.15rem; width: 1.2rem; height: 1.2rem;
        border-radius: 50%; background: #57606a; transition: transform 0.15s ease;
      }
      button[role='switch'][aria-checked='true'] { background: var(--blocked); border-color: var(--blocked); }
      button[role='switch'][aria-checked='true']::after { transform: translateX(1.35rem); background: #fff; }
      button[role='switch'][aria-disabled='true'] { opacity: 0.55; cursor: progress; }
      .toggle-label { min-width: 6.5rem; font-weight: 600; }
      .announcement { min-height: 1.5rem; margin: 0.75rem 0 0; }
      @media (max-width: 40rem) {
        li.number { grid-template-columns: 1fr; }
        .toggle { grid-row: auto; grid-column: 1; }
      }
      @media (prefers-reduced-motion: reduce) { button[role='switch']::after { transition: none; } }
    `,
  ];

  declare profileId: string;
  declare profile: ProfileConsent | undefined;
  declare canEdit: boolean;
  declare loadError: unknown;
  declare announcement: Announcement | undefined;

  protected readonly subjectKey = 'profileId';
  private readonly dialog = createRef<ReasonDialog>();
  private readonly history = createRef<ConsentHistory>();
  /** Requests being watched until they settle, by id; aborted when the element leaves the page. */
  private readonly watching = new Map<string, AbortController>();
  /** The switch that opened the dialog, to give focus back to. */
  private opener: HTMLElement | undefined;

  constructor() {
    super();
    this.profileId = '';
    this.canEdit = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const controller of this.watching.values()) controller.abort();
    this.watching.clear();
  }

  /** Reads the profile's numbers again, and watches every pending request on them. */
  protected async load(): Promise<void> {
    const api = this.api;
    try {
      this.canEdit = await this.mayEdit();
      this.profile = await api.profile(this.profileId);
      this.loadError = undefined;
      for (const number of this.profile.numbers) {
        for (const request of number.pending) this.watch(request.requestId, request.action, number.phone);
      }
    } catch (error) {
      this.loadError = error;
      this.reportApiError(error);
    }
  }

  override render() {
    if (this.loadError && !this.profile) {
      return html`<p class="notice error" role="alert">This profile could not be loaded. ${errorMessage(this.loadError)}</p>`;
    }
    if (!this.profile) return html`<p class="muted" role="status">Loading the profile…</p>`;
    return html`
      <section aria-labelledby="numbers-heading">
        <h2 id="numbers-heading">WhatsApp Subscription Status</h2>
        ${this.canEdit
          ? nothing
          : html`<p class="notice" id="permission-note">
              You can see these numbers, but changing whether they are blocked needs the permission
              “${EDIT_PERMISSION}”. Ask an administrator if you need it.
            </p>`}
        ${this.profile.numbers.length === 0
          ? html`<p class="muted">This profile has no WhatsApp numbers.</p>`
          : html`<ul class="numbers">${this.profile.numbers.map((number) => this.renderNumber(number))}</ul>`}
        <p class="announcement ${this.announcement?.tone === 'error' ? 'error' : ''}" role="status" aria-live="polite">
          ${this.announcement?.text ?? ''}
        </p>
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <consent-history
          ${ref(this.history)}
          .loader=${(cursor: string | null) => this.api.profileHistory(this.profileId, cursor)}
        ></consent-history>
      </section>
      <consent-reason-dialog ${ref(this.dialog)} @reason-dialog-closed=${this.restoreFocus}></consent-reason-dialog>
    `;
  }

  private renderNumber(number: NumberConsent) {
    const pending = number.pending.length > 0;
    return html`
      <li class="number ${number.blocked ? 'is-blocked' : ''}">
        <div class="identity">
          ${numberIdentity(number.phone)}
          <a href=${consoleHref.number(number.phone)}>Number page<span class="visually-hidden"> of ${number.phone}</span></a>
        </div>
        ${this.canEdit
          ? html`<div class="toggle">
              <button
                type="button"
                role="switch"
                aria-checked=${number.blocked ? 'true' : 'false'}
                aria-label="Block WhatsApp messages to ${number.phone}"
                aria-disabled=${pending ? 'true' : 'false'}
                aria-describedby=${pending ? `pending-${number.phone.slice(1)}` : nothing}
                @click=${(event: Event) => this.askForChange(number, event.currentTarget as HTMLElement)}
              ></button>
              <span class="toggle-label" aria-hidden="true">${number.blocked ? 'Blocked' : 'Not blocked'}</span>
              ${pending ? html`<span class="visually-hidden" id="pending-${number.phone.slice(1)}">A change is pending.</span>` : nothing}
            </div>`
          : nothing}
        <div class="state">${numberState(number)}</div>
      </li>
    `;
  }

  private askForChange(number: NumberConsent, opener: HTMLElement): void {
    if (number.pending.length > 0) {
      this.announce(`A change to ${readablePhone(number.phone)} is still pending; wait until it is applied.`, 'info');
      return;
    }
    this.opener = opener;
    const action: ConsentAction = number.blocked ? 'unblock' : 'block';
    void this.dialog.value?.show({
      action,
      phone: number.phone,
      submit: async (reason, idempotencyKey) => {
        try {
          const accepted = await this.api.change({ profileId: this.profileId, phone: number.phone, action, reason }, idempotencyKey);
          this.markPending(number.phone, { requestId: accepted.requestId, action, requestedAt: new Date().toISOString() });
          this.announce(`Pending: your request to ${action} ${readablePhone(number.phone)} was accepted and is being applied.`, 'info');
          this.watch(accepted.requestId, action, number.phone);
        } catch (error) {
          this.reportApiError(error);
          throw new Error(errorMessage(error, 'changing'));
        }
      },
    });
  }

  private restoreFocus = () => {
    this.opener?.focus();
  };

  private markPending(phone: string, request: NumberConsent['pending'][number]): void {
    if (!this.profile) return;
    this.profile = {
      ...this.profile,
      numbers: this.profile.numbers.map((number) =>
        number.phone === phone && !number.pending.some((p) => p.requestId === request.requestId)
          ? { ...number, pending: [...number.pending, request] }
          : number,
      ),
    };
  }

  /** Polls the request until it settles, then tells the outcome and shows the new state. */
  private watch(requestId: string, action: ConsentAction, phone: string): void {
    if (this.watching.has(requestId)) return;
    const controller = new AbortController();
    this.watching.set(requestId, controller);
    pollUntil(() => this.api.request(requestId), (request) => request.status !== 'pending', {
      signal: controller.signal,
      isFatal: (error) => error instanceof ApiError && (error.kind === 'unauthorized' || error.kind === 'not-found'),
    })
      .then(async (request) => {
        if (request.status === 'pending') return;
        // The new state and the message appear together.
        await Promise.all([this.load(), this.history.value?.reload()]);
        this.announce(settledMessage(request.status, action, phone), request.status === 'failed' ? 'error' : 'info');
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) this.reportApiError(error);
      })
      .finally(() => this.watching.delete(requestId));
  }

  private announce(text: string, tone: Announcement['tone']): void {
    this.announcement = { text, tone };
  }

  private reportApiError(error: unknown): void {
    requestSignInIfRefused(this, error);
  }
}

customElements.define('whatsapp-consent-profile', ProfilePanel);

declare global {
  interface HTMLElementTagNameMap {
    'whatsapp-consent-profile': ProfilePanel;
  }
}
