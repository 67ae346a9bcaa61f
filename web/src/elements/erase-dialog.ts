import { LitElement, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { Erasure } from '../api/types.js';
import { confirmationProblem, deletedLines, suppressionWords } from '../model/erasure.js';
import { readablePhone } from '../model/format.js';
import { cleanReason, reasonProblem } from '../model/reason.js';
import { reasonField } from './reason-field.js';
import { dialogStyles } from './shared-styles.js';

export interface ErasureRequest {
  phone: string;
  /** Erases with the reason; resolves with what went, or rejects with a message to show in the dialog. */
  submit: (reason: string) => Promise<Erasure>;
}

/**
 * The erasure of a number's personal data: a modal `<dialog>` (focus stays inside, Escape cancels) that
 * asks for the reason and for the number typed again, then tells what was deleted and whether a
 * suppression record stayed. Erasing again is harmless, so a retry after an error simply sends again.
 */
export class EraseDialog extends LitElement {
  static override properties = {
    request: { state: true },
    erased: { state: true },
    error: { state: true },
    invalid: { state: true },
    busy: { state: true },
  };

  static override styles = dialogStyles;

  declare request: ErasureRequest | undefined;
  declare erased: Erasure | undefined;
  declare error: string | undefined;
  /** Which field the error is about, if one is. */
  declare invalid: 'reason' | 'number' | undefined;
  declare busy: boolean;

  private readonly dialog = createRef<HTMLDialogElement>();
  private readonly reason = createRef<HTMLInputElement>();
  private readonly number = createRef<HTMLInputElement>();
  private readonly close = createRef<HTMLButtonElement>();

  constructor() {
    super();
    this.busy = false;
  }

  /** Opens the dialog for one number; focus moves to the reason field. */
  async show(request: ErasureRequest): Promise<void> {
    this.request = request;
    this.erased = undefined;
    this.error = undefined;
    this.invalid = undefined;
    this.busy = false;
    await this.updateComplete;
    for (const field of [this.reason, this.number]) if (field.value) field.value.value = '';
    this.dialog.value?.showModal();
    this.reason.value?.focus();
  }

  override render() {
    return html`
      <dialog ${ref(this.dialog)} aria-labelledby="title" aria-describedby="summary" @close=${this.onClose}>
        ${this.erased ? this.renderErased(this.erased) : this.request ? this.renderForm(this.request) : nothing}
      </dialog>
    `;
  }

  private renderForm(request: ErasureRequest) {
    const numberError = this.invalid === 'number' ? this.error : undefined;
    return html`
      <form novalidate @submit=${this.onSubmit}>
        <h2 id="title">Erase the personal data of ${readablePhone(request.phone)}?</h2>
        <p id="summary">
          Its history, requests, WhatsApp user id pairings and held or unresolved reports are deleted, and it leaves every
          profile. If it is blocked or opted out of marketing, only that stays, so that campaigns keep skipping it. This
          cannot be undone; the erasure is logged with your name and reason.
        </p>
        ${reasonField({ input: this.reason, invalid: this.invalid === 'reason', error: this.invalid === 'number' ? undefined : this.error, readonly: this.busy })}
        <label for="confirm-number">The number, typed again</label>
        <input
          ${ref(this.number)}
          id="confirm-number"
          name="confirm-number"
          type="text"
          inputmode="tel"
          autocomplete="off"
          aria-invalid=${this.invalid === 'number' ? 'true' : 'false'}
          aria-describedby="number-hint ${numberError ? 'number-error' : ''}"
          ?readonly=${this.busy}
        />
        <p class="hint" id="number-hint">To confirm, type ${readablePhone(request.phone)} in any international form.</p>
        ${numberError ? html`<p class="error" id="number-error" role="alert">${numberError}</p>` : nothing}
        <div class="buttons">
          <button type="button" @click=${this.cancel}>Cancel</button>
          <button type="submit" class="primary danger" ?disabled=${this.busy}>${this.busy ? 'Erasing…' : 'Erase'}</button>
        </div>
      </form>
    `;
  }

  private renderErased(erased: Erasure) {
    return html`
      <h2 id="title">Personal data of ${readablePhone(erased.phone)} erased</h2>
      <div id="summary">
        <p>What was deleted:</p>
        <ul class="deleted">
          ${deletedLines(erased.deleted).map((line) => html`<li>${line}</li>`)}
        </ul>
        <p>${suppressionWords(erased)}</p>
      </div>
      <div class="buttons">
        <button ${ref(this.close)} type="button" class="primary" @click=${this.cancel}>Close</button>
      </div>
    `;
  }

  private cancel = () => {
    this.dialog.value?.close();
  };

  private onClose = () => {
    this.dispatchEvent(new CustomEvent('erase-dialog-closed', { detail: { erased: this.erased !== undefined }, bubbles: true, composed: true }));
  };

  private onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const request = this.request;
    if (!request || this.busy) return;
    const reason = cleanReason(this.reason.value?.value ?? '');
    const problem = reasonProblem(reason);
    if (problem) return this.refuse('reason', problem);
    const typed = confirmationProblem(this.number.value?.value ?? '', request.phone);
    if (typed) return this.refuse('number', typed);
    this.busy = true;
    this.error = undefined;
    this.invalid = undefined;
    try {
      this.erased = await request.submit(reason);
      await this.updateComplete;
      this.close.value?.focus();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  };

  private refuse(field: 'reason' | 'number', message: string): void {
    this.error = message;
    this.invalid = field;
    (field === 'reason' ? this.reason : this.number).value?.focus();
  }
}

customElements.define('consent-erase-dialog', EraseDialog);

declare global {
  interface HTMLElementTagNameMap {
    'consent-erase-dialog': EraseDialog;
  }
}
