import { css, html, nothing } from 'lit';
import { createRef, ref } from 'lit/directives/ref.js';
import { ApiError } from '../api/api-error.js';
import type { HeldBlock } from '../api/types.js';
import { EDIT_PERMISSION } from '../model/consent-words.js';
import { errorMessage } from '../model/error-words.js';
import { readablePhone } from '../model/format.js';
import {
  counted,
  heldActionMessage,
  heldActionProblem,
  heldByNumber,
  selectAllState,
  type HeldAction,
  type HeldActionProblem,
  type HeldNumber,
} from '../model/held-and-unresolved.js';
import { pollUntil } from '../model/poll.js';
import { cleanReason } from '../model/reason.js';
import { ApiElement } from './api-element.js';
import { moreButton, PagedList } from './paged-list.js';
import { reasonField } from './reason-field.js';
import { codeCell, columnHeads, listPageStyles, timeCell } from './record-table.js';
import { requestSignInIfRefused } from './signin-required.js';

/** How long the page watches released numbers leave the list before it stops and says so. */
const RELEASE_WATCH_MS = 60_000;

interface Announcement {
  text: string;
  tone: 'info' | 'error';
}

/**
 * The automatic blocks the auto-block guard held, because one sender reported unusually many failures in
 * a short time. Everyone signed in sees them; holders of "Edit WhatsApp blocklist" select numbers and,
 * with a reason, release them (they are then blocked through the queue, and leave the list once applied,
 * which the page watches) or discard them (they leave the list at once and stay sendable).
 */
export class HeldBlocks extends ApiElement {
  static override properties = {
    canEdit: { state: true },
    selected: { state: true },
    releasing: { state: true },
    busy: { state: true },
    problem: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    listPageStyles,
    css`
      form.actions { display: grid; gap: 0.4rem; margin: 0 0 1.25rem; max-width: 40rem; }
      form.actions h2 { margin: 0; }
      form.actions label { font-weight: 600; margin-top: 0.35rem; }
      form.actions input { width: 100%; box-sizing: border-box; }
      .hint, .selection, .error { margin: 0; }
      .hint { font-size: 0.9rem; color: var(--muted); }
      .buttons { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.35rem; }
      td.pick { width: 2.5rem; }
      td.pick input, th.pick input { width: 1.1rem; height: 1.1rem; margin: 0.1rem 0 0; }
      tbody th { font-weight: normal; white-space: nowrap; }
      tbody + tbody { border-top: 2px solid var(--line); }
      .readable { font-weight: 600; }
      .e164 { display: block; }
      .releasing { display: block; color: var(--accent); font-size: 0.88rem; }
      .announcement { min-height: 1.5rem; margin: 0.75rem 0 0; }
    `,
  ];

  declare canEdit: boolean;
  /** The numbers ticked in the table. */
  declare selected: ReadonlySet<string>;
  /** Numbers released, until they leave the list (they are being blocked). */
  declare releasing: ReadonlySet<string>;
  /** A release or discard is being sent. */
  declare busy: boolean;
  /** What keeps the release or discard from going through: the selection, the reason, or the request. */
  declare problem: { field: HeldActionProblem['field'] | 'request'; message: string } | undefined;
  declare announcement: Announcement | undefined;

  protected readonly subjectKey = undefined;
  private readonly list = new PagedList<HeldBlock>(this, (cursor) => this.api.heldBlocks(cursor));
  private readonly reasonInput = createRef<HTMLInputElement>();
  private readonly selectAll = createRef<HTMLInputElement>();
  /** Watches of released numbers; aborted when the element leaves the page. */
  private readonly watches = new Set<AbortController>();

  constructor() {
    super();
    this.canEdit = false;
    this.selected = new Set();
    this.releasing = new Set();
    this.busy = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const watch of this.watches) watch.abort();
    this.watches.clear();
  }

  protected async load(): Promise<void> {
    this.canEdit = await this.mayEdit();
    await this.list.reload();
  }

  override updated() {
    // A mixed selection is a state of the element, not an attribute.
    const selectAll = this.selectAll.value;
    if (selectAll) selectAll.indeterminate = this.selectionState() === 'some';
  }

  override render() {
    const numbers = heldByNumber(this.list.items);
    return html`
      <p class="intro">
        The automatic-block guard held these blocks because one sender reported unusually many failures in a
        short time; the numbers stay sendable until someone releases them.
      </p>
      ${numbers.length === 0 && !this.announcement
        ? nothing
        : this.canEdit
        ? this.renderActions()
        : html`<p class="notice" id="permission-note">
            You can see the held blocks, but releasing or discarding them needs the permission “${EDIT_PERMISSION}”.
            Ask an administrator if you need it.
          </p>`}
      ${this.list.error
        ? html`<p class="notice error" role="alert">The held blocks could not be loaded. ${errorMessage(this.list.error)}</p>`
        : nothing}
      ${numbers.length === 0 ? this.renderEmpty() : this.renderTable(numbers)}
      ${moreButton(this.list, 'Show more')}
      <p class="announcement ${this.announcement?.tone === 'error' ? 'error' : ''}" role="status" aria-live="polite">
        ${this.announcement?.text ?? ''}
      </p>
    `;
  }

  private renderEmpty() {
    if (this.list.error) return nothing;
    if (!this.list.settled) return html`<p class="muted" role="status">Loading the held blocks…</p>`;
    return html`<p class="card">No automatic blocks are held.</p>`;
  }

  private renderActions() {
    const reasonInvalid = this.problem?.field === 'reason';
    return html`
      <form class="card actions" novalidate aria-labelledby="actions-title" @submit=${(event: Event) => event.preventDefault()}>
        <h2 id="actions-title">Release or discard</h2>
        <p class="selection muted" id="selection">
          ${this.selected.size === 0 ? 'No numbers selected.' : `${counted(this.selected.size, 'number', 'numbers')} selected.`}
          Release blocks them; discard drops their held blocks and they stay sendable. Either is recorded
          with your name and reason.
        </p>
        ${reasonField({ input: this.reasonInput, invalid: reasonInvalid, error: this.problem?.message, readonly: this.busy })}
        <div class="buttons">
          <button type="button" class="primary" ?disabled=${this.busy} aria-describedby="selection" @click=${() => this.decide('release')}>
            Release selected
          </button>
          <button type="button" ?disabled=${this.busy} aria-describedby="selection" @click=${() => this.decide('discard')}>
            Discard selected
          </button>
        </div>
      </form>
    `;
  }

  private renderTable(numbers: HeldNumber[]) {
    const state = this.selectionState();
    return html`
      <div class="scroll">
        <table aria-label="Held automatic blocks">
          <thead>
            <tr>
              ${this.canEdit
                ? html`<th scope="col" class="pick">
                    <input
                      ${ref(this.selectAll)}
                      type="checkbox"
                      aria-label="Select all"
                      .checked=${state === 'all'}
                      ?disabled=${this.busy}
                      @change=${(event: Event) => this.selectEvery((event.target as HTMLInputElement).checked, numbers)}
                    />
                  </th>`
                : nothing}
              ${columnHeads(['Number', 'Sender', 'Code', 'Failed at', 'Held at'])}
            </tr>
          </thead>
          ${numbers.map((number) => this.renderNumber(number))}
        </table>
      </div>
    `;
  }

  /** A number's held blocks as one group of rows: the number (and its checkbox) once, a row per block. */
  private renderNumber({ phone, blocks }: HeldNumber) {
    const readable = readablePhone(phone);
    const releasing = this.releasing.has(phone);
    return html`<tbody>
      ${blocks.map(
        (block, index) => html`<tr>
          ${index === 0
            ? html`${this.canEdit
                  ? html`<td class="pick" rowspan=${blocks.length}>
                      <input
                        type="checkbox"
                        aria-label="Select ${readable}"
                        .checked=${this.selected.has(phone)}
                        ?disabled=${this.busy || releasing}
                        @change=${(event: Event) => this.select(phone, (event.target as HTMLInputElement).checked)}
                      />
                    </td>`
                  : nothing}
                <th scope="rowgroup" rowspan=${blocks.length}>
                  <span class="readable">${readable}</span>
                  <span class="e164 mono muted">${phone}</span>
                  ${releasing ? html`<span class="releasing">Released; being blocked…</span>` : nothing}
                </th>`
            : nothing}
          <td class="mono">${block.sender}</td>
          ${codeCell(block.reasonCode)}
          ${timeCell(block.failedAt)}
          ${timeCell(block.heldAt)}
        </tr>`,
      )}
    </tbody>`;
  }

  private selectionState() {
    return selectAllState(this.selectablePhones(), this.selected);
  }

  /** The numbers shown that can be selected: those not already released. */
  private selectablePhones(numbers = heldByNumber(this.list.items)): string[] {
    return numbers.map((number) => number.phone).filter((phone) => !this.releasing.has(phone));
  }

  private select(phone: string, on: boolean): void {
    const selected = new Set(this.selected);
    if (on) selected.add(phone);
    else selected.delete(phone);
    this.selected = selected;
    if (this.problem?.field === 'selection') this.problem = undefined;
  }

  private selectEvery(on: boolean, numbers: HeldNumber[]): void {
    this.selected = on ? new Set(this.selectablePhones(numbers)) : new Set();
    if (this.problem?.field === 'selection') this.problem = undefined;
  }

  /** Releases or discards the selected numbers, with the reason typed, once both are there. */
  private async decide(action: HeldAction): Promise<void> {
    if (this.busy) return;
    const reason = cleanReason(this.reasonInput.value?.value ?? '');
    const phones = this.selectablePhones().filter((phone) => this.selected.has(phone));
    this.problem = heldActionProblem(phones.length, reason);
    if (this.problem) {
      if (this.problem.field === 'reason') this.reasonInput.value?.focus();
      return;
    }
    this.busy = true;
    try {
      const done = action === 'release' ? (await this.api.releaseHeld(phones, reason)).released : (await this.api.discardHeld(phones, reason)).discarded;
      this.selected = new Set();
      if (this.reasonInput.value) this.reasonInput.value.value = '';
      this.announce(heldActionMessage(action, phones.length, done.length), 'info');
      if (action === 'release') this.watchReleased(done);
      else await this.list.refresh().catch(() => undefined);
    } catch (error) {
      requestSignInIfRefused(this, error);
      this.problem = { field: 'request', message: errorMessage(error, 'deciding-held') };
      // The list shows what the service holds now, whatever became of the request.
      if (!(error instanceof ApiError && error.kind === 'unauthorized')) await this.list.refresh().catch(() => undefined);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Reads the list again and again (with the console's backoff) until the released numbers have left it,
   * that is until they are blocked; after {@link RELEASE_WATCH_MS} it stops and says so.
   */
  private watchReleased(phones: string[]): void {
    if (phones.length === 0) return;
    this.releasing = new Set([...this.releasing, ...phones]);
    const controller = new AbortController();
    this.watches.add(controller);
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(RELEASE_WATCH_MS)]);
    pollUntil(() => this.list.refresh(), (items) => !items.some((item) => phones.includes(item.phone)), {
      signal,
      isFatal: (error) => error instanceof ApiError && (error.kind === 'unauthorized' || error.kind === 'forbidden'),
    })
      .catch(() => {
        if (controller.signal.aborted) return;
        this.announce(
          `${counted(phones.length, 'released number is', 'released numbers are')} still on the list: the service has not blocked ${phones.length === 1 ? 'it' : 'them'} yet. Reload the page later to check.`,
          'error',
        );
      })
      .finally(() => {
        this.watches.delete(controller);
        const releasing = new Set(this.releasing);
        for (const phone of phones) releasing.delete(phone);
        this.releasing = releasing;
      });
  }

  private announce(text: string, tone: Announcement['tone']): void {
    this.announcement = { text, tone };
  }
}

customElements.define('held-blocks', HeldBlocks);

declare global {
  interface HTMLElementTagNameMap {
    'held-blocks': HeldBlocks;
  }
}
