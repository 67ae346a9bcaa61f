import { LitElement, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import type { ConsentAction } from '../api/types.js';
import { readablePhone } from '../model/format.js';
import { cleanReason, reasonProblem } from '../model/reason.js';
import { reasonField } from './reason-field.js';
import { dialogStyles } from './shared-styles.js';

export interface ReasonRequest {
  action: ConsentAction;
  phone: string;
  /**
   * Sends the change with the reason and the confirmation's idempotency key; resolves once the service
   * accepted it, or rejects with a message to show in the dialog.
   */
  submit: (reason: string, idempotencyKey: string) => Promise<void>;
}

/**
 * The confirmation of a block or unblock: a modal `<dialog>` (focus stays inside, Escape cancels) asking
 * for the reason. One confirmation is one request: Confirm is disabled while it is being sent, and a
 * retry after an error reuses the same idempotency key, unless the reason was changed in between.
 */
export class ReasonDialog extends LitElement {
  static override properties = {
    request: { state: true },
    error: { state: true },
    reasonInvalid: { state: true },
    busy: { state: true },
  };

  static override styles = dialogStyles;

  declare request: ReasonRequest | undefined;
  declare error: string | undefined;
  /** The error is about the reason itself (empty, too long), rather than about sending it. */
  declare reasonInvalid: boolean;
  declare busy: boolean;

  private readonly dialog = createRef<HTMLDialogElement>();
  private readonly input = createRef<HTMLInputElement>();
  /** The key of this confirmation, and the reason it was last sent with. */
  private attempt: { key: string; reason: string } | undefined;

  constructor() {
    super();
    this.busy = false;
    this.reasonInvalid = false;
  }

  /** Opens the dialog for one change; focus moves to the reason field. */
  async show(request: ReasonRequest): Promise<void> {
    this.request = request;
    this.error = undefined;
    this.reasonInvalid = false;
    this.busy = false;
    this.attempt = undefined;
    await this.updateComplete;
    if (this.input.value) this.input.value.value = '';
    this.dialog.value?.showModal();
    this.input.value?.focus();
  }

  override render() {
    const request = this.request;
    const verb = request?.action === 'unblock' ? 'Unblock' : 'Block';
    return html`
      <dialog ${ref(this.dialog)} aria-labelledby="title" aria-describedby="summary" @close=${this.onClose}>
        ${request
          ? html`
              <form novalidate @submit=${this.onSubmit}>
                <h2 id="title">${verb} ${readablePhone(request.phone)}?</h2>
                <p id="summary">
                  ${request.action === 'block'
                    ? 'Campaigns will not send WhatsApp messages to this number, from any profile, until someone unblocks it.'
                    : 'Campaigns may send WhatsApp messages to this number again.'}
                  The change is recorded with your name and reason.
                </p>
                ${reasonField({ input: this.input, invalid: this.reasonInvalid, error: this.error, readonly: this.busy })}
                <div class="buttons">
                  <button type="button" @click=${this.cancel}>Cancel</button>
                  <button type="submit" class="primary ${request.action}" ?disabled=${this.busy}>
                    ${this.busy ? 'Sending…' : 'Confirm'}
                  </button>
                </div>
              </form>
            `
          : nothing}
      </dialog>
    `;
  }

  private cancel = () => {
    this.dialog.value?.close('cancel');
  };

  private onClose = () => {
    this.dispatchEvent(new CustomEvent('reason-dialog-closed', { bubbles: true, composed: true }));
  };

  private onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const request = this.request;
    if (!request || this.busy) return;
    const reason = cleanReason(this.input.value?.value ?? '');
    const problem = reasonProblem(reason);
    if (problem) {
      this.error = problem;
      this.reasonInvalid = true;
      this.input.value?.focus();
      return;
    }
    if (!this.attempt || this.attempt.reason !== reason) this.attempt = { key: crypto.randomUUID(), reason };
    this.busy = true;
    this.error = undefined;
    this.reasonInvalid = false;
    try {
      await request.submit(reason, this.attempt.key);
      this.dialog.value?.close('confirm');
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.input.value?.focus();
    } finally {
      this.busy = false;
    }
  };
}

customElements.define('consent-reason-dialog', ReasonDialog);

declare global {
  interface HTMLElementTagNameMap {
    'consent-reason-dialog': ReasonDialog;
  }
}
