import { css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import { errorMessage } from '../model/error-words.js';
import { ApiElement } from './api-element.js';
import type { EraseDialog } from './erase-dialog.js';
import { saveFile } from './save-file.js';
import { baseStyles } from './shared-styles.js';
import { requestSignInIfRefused } from './signin-required.js';
import './erase-dialog.js';

/**
 * What privacy officers (the permission "Manage personal data") may do on a number's page: download
 * everything the service holds about the number as a JSON file, and erase it. Nobody else sees it.
 * After an erasure it tells the page (`personal-data-erased`), which reads the number again.
 */
export class PersonalDataActions extends ApiElement {
  static override properties = {
    phone: { type: String },
    allowed: { state: true },
    downloading: { state: true },
    downloadError: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.75rem; }
      button.danger { color: var(--blocked); border-color: var(--blocked); }
    `,
  ];

  declare phone: string;
  declare allowed: boolean;
  declare downloading: boolean;
  declare downloadError: string | undefined;
  protected readonly subjectKey = 'phone';
  private readonly dialog = createRef<EraseDialog>();
  private readonly eraseButton = createRef<HTMLButtonElement>();

  constructor() {
    super();
    this.phone = '';
    this.allowed = false;
    this.downloading = false;
  }

  protected async load(): Promise<void> {
    this.allowed = await this.mayManagePersonalData();
  }

  override render() {
    if (!this.allowed) return nothing;
    return html`
      <section aria-labelledby="personal-data-heading" class="card">
        <h2 id="personal-data-heading">Personal data</h2>
        <p class="muted">
          For a data subject's request: everything the service holds about this number, as a file; or its erasure, which
          keeps only a block or opt-out in force.
        </p>
        <div class="actions">
          <button type="button" ?disabled=${this.downloading} @click=${this.download}>
            ${this.downloading ? 'Preparing the file…' : 'Download personal data'}
          </button>
          <button ${ref(this.eraseButton)} type="button" class="danger" @click=${this.erase}>Erase personal data…</button>
        </div>
        ${this.downloadError ? html`<p class="notice error" role="alert">${this.downloadError}</p>` : nothing}
      </section>
      <consent-erase-dialog ${ref(this.dialog)} @erase-dialog-closed=${this.onDialogClosed}></consent-erase-dialog>
    `;
  }

  /** Reads the document with the token, and saves it as a file named after the number. */
  private download = async () => {
    if (this.downloading) return;
    this.downloading = true;
    this.downloadError = undefined;
    try {
      const data = await this.api.personalData(this.phone);
      saveFile(`${JSON.stringify(data, null, 2)}\n`, `personal-data-${this.phone.replace('+', '')}.json`, 'application/json');
    } catch (error) {
      requestSignInIfRefused(this, error);
      this.downloadError = `The file could not be made. ${errorMessage(error)}`;
    } finally {
      this.downloading = false;
    }
  };

  private erase = () => {
    const phone = this.phone;
    void this.dialog.value?.show({
      phone,
      submit: async (reason) => {
        try {
          return await this.api.erasePersonalData(phone, reason);
        } catch (error) {
          requestSignInIfRefused(this, error);
          throw new Error(errorMessage(error, 'erasing'));
        }
      },
    });
  };

  /** Focus returns to the button that opened the dialog; the page reads the number again after an erasure. */
  private onDialogClosed = (event: CustomEvent<{ erased: boolean }>) => {
    this.eraseButton.value?.focus();
    if (event.detail.erased) this.dispatchEvent(new CustomEvent('personal-data-erased', { bubbles: true, composed: true }));
  };
}

customElements.define('personal-data-actions', PersonalDataActions);

declare global {
  interface HTMLElementTagNameMap {
    'personal-data-actions': PersonalDataActions;
  }
}
