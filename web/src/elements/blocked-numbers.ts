import { css, html, nothing } from 'lit';
import type { BlockedNumber } from '../api/types.js';
import {
  blocklistProblem,
  emptyMessage,
  filterFromForm,
  localInputFromIso,
  shownSummary,
  SOURCE_CHOICES,
  type BlocklistFilter,
  type BlocklistFilterName,
} from '../model/blocklist.js';
import { actorName, BLOCKED_BY } from '../model/consent-words.js';
import { errorMessage } from '../model/error-words.js';
import { readablePhone } from '../model/format.js';
import { consoleHref } from '../routes.js';
import { ApiElement } from './api-element.js';
import { moreButton, PagedList } from './paged-list.js';
import { codeCell, columnHeads, listPageStyles, timeCell } from './record-table.js';
import { requestSignInIfRefused } from './signin-required.js';
import { saveFile } from './save-file.js';

/** The name the download is saved under. */
const CSV_FILE_NAME = 'whatsapp-blocklist.csv';

/**
 * The numbers blocked now, newest change first, narrowed by source, WhatsApp error code and the time of
 * the change. The filters live in the page's address (the console passes them in as `filter`): applying
 * them navigates, so a reload, the Back button or a shared link shows the same list. Everyone signed in
 * sees it; "Download CSV" saves every number that matches as a file.
 */
export class BlockedNumbers extends ApiElement {
  static override properties = {
    filter: { attribute: false },
    downloading: { state: true },
    downloadError: { state: true },
  };

  static override styles = [
    listPageStyles,
    css`
      form.filters { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0.75rem 1.25rem; margin: 0 0 1rem; }
      form.filters h2 { flex-basis: 100%; margin: 0; }
      .field { display: grid; gap: 0.25rem; align-content: start; max-width: 16rem; }
      .field label { font-weight: 600; }
      .field p { margin: 0; font-size: 0.88rem; }
      .field .error:empty { display: none; }
      select, input[type='datetime-local'] {
        font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #6e7781; border-radius: 6px; background: var(--surface); color: var(--ink);
      }
      .field select, .field input { box-sizing: border-box; height: 2.3rem; }
      select[aria-invalid='true'] { border-color: var(--blocked); }
      #reason-code { width: 9rem; }
      /* Level with the fields' controls, under their labels. */
      .buttons { display: flex; gap: 0.5rem; padding-top: calc(1.5em + 0.25rem); }
      .buttons button { height: 2.3rem; }
      .bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 1rem; margin: 0 0 0.5rem; }
      .bar p { margin: 0; }
      tbody th { font-weight: normal; white-space: nowrap; }
      tbody th a { font-weight: 600; }
      .e164 { display: block; }
      td.reason { max-width: 22rem; overflow-wrap: anywhere; }
    `,
  ];

  /** The filters of the page's address. */
  declare filter: BlocklistFilter;
  declare downloading: boolean;
  declare downloadError: string | undefined;

  protected readonly subjectKey = 'filter';
  private readonly list = new PagedList<BlockedNumber>(this, (cursor) => this.api.blocklist(this.filter, cursor));

  constructor() {
    super();
    this.filter = {};
    this.downloading = false;
  }

  protected load(): Promise<void> {
    this.downloadError = undefined;
    return this.list.restart();
  }

  override render() {
    const { items, error, settled, nextCursor } = this.list;
    const problem = error ? blocklistProblem(error) : undefined;
    return html`
      <p class="intro">
        The numbers that campaigns may not message now, newest change first. The page's address keeps the filters, so a
        reload or a link to it shows the same list.
      </p>
      ${this.renderFilters(problem?.fields ?? {})}
      ${problem ? html`<p class="notice error" role="alert">${problem.message}</p>` : nothing}
      <div class="bar">
        <p role="status">${error ? '' : !settled ? 'Loading the blocked numbers…' : items.length > 0 ? shownSummary(items.length, nextCursor !== null) : ''}</p>
        ${items.length > 0 || nextCursor !== null
          ? html`<button type="button" ?disabled=${this.downloading} @click=${this.download}>
              ${this.downloading ? 'Preparing the file…' : 'Download CSV'}
            </button>`
          : nothing}
      </div>
      ${this.downloadError ? html`<p class="notice error" role="alert">${this.downloadError}</p>` : nothing}
      ${items.length > 0 ? this.renderTable(items) : settled && !error ? html`<p class="card">${emptyMessage(this.filter, nextCursor !== null)}</p>` : nothing}
      ${moreButton(this.list, items.length > 0 ? 'Show more' : 'Search further')}
    `;
  }

  private renderFilters(invalid: Partial<Record<BlocklistFilterName, string>>) {
    const state = (name: BlocklistFilterName) => (invalid[name] ? 'true' : 'false');
    const error = (name: BlocklistFilterName) => html`<p id="${name}-error" class="error">${invalid[name] ?? nothing}</p>`;
    return html`
      <form class="card filters" role="search" aria-labelledby="filters-title" novalidate @submit=${this.apply}>
        <h2 id="filters-title">Filter the list</h2>
        <div class="field">
          <label for="source">Source</label>
          <select id="source" name="source" aria-invalid=${state('source')} aria-describedby="source-hint source-error">
            <option value="">Any</option>
            ${SOURCE_CHOICES.map(({ value, label }) => html`<option value=${value}>${label}</option>`)}
          </select>
          <p id="source-hint" class="muted">Who or what blocked the number.</p>
          ${error('source')}
        </div>
        <div class="field">
          <label for="reason-code">Error code</label>
          <input id="reason-code" name="reasonCode" type="text" inputmode="numeric" autocomplete="off"
            aria-invalid=${state('reasonCode')} aria-describedby="reason-code-hint reasonCode-error" />
          <p id="reason-code-hint" class="muted">WhatsApp's, such as 131026.</p>
          ${error('reasonCode')}
        </div>
        <div class="field">
          <label for="changed-after">Changed after</label>
          <input id="changed-after" name="changedAfter" type="datetime-local" step="any"
            aria-invalid=${state('changedAfter')} aria-describedby="changed-after-hint changedAfter-error" />
          <p id="changed-after-hint" class="muted">In your time zone.</p>
          ${error('changedAfter')}
        </div>
        <div class="buttons">
          <button type="submit" class="primary">Apply</button>
          <button type="button" @click=${this.clear}>Clear</button>
        </div>
      </form>
    `;
  }

  /** The form shows the address's filters whenever they change (a reload, Back, Clear), and only then. */
  override updated(changed: Map<PropertyKey, unknown>) {
    if (!changed.has('filter')) return;
    const control = (id: string) => this.renderRoot.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`);
    const values = { source: this.filter.source ?? '', 'reason-code': this.filter.reasonCode ?? '', 'changed-after': localInputFromIso(this.filter.changedAfter) };
    for (const [id, value] of Object.entries(values)) {
      const element = control(id);
      if (element) element.value = value;
    }
  }

  private renderTable(items: BlockedNumber[]) {
    return html`
      <div class="scroll">
        <table aria-label="Blocked numbers">
          <thead>
            <tr>
              ${columnHeads(['Number', 'Source', 'Reason', 'Code', 'Changed at', 'Changed by'])}
            </tr>
          </thead>
          <tbody>
            ${items.map(
              (item) => html`<tr>
                <th scope="row">
                  <a href=${consoleHref.number(item.phone)}>${readablePhone(item.phone)}</a>
                  <span class="e164 mono muted">${item.phone}</span>
                </th>
                <td>${BLOCKED_BY[item.source] ?? item.source}</td>
                <td class="reason">${item.reason}</td>
                ${codeCell(item.reasonCode)}
                ${timeCell(item.updatedAt)}
                <td>${actorName(item.updatedBySender ?? item.updatedBy)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }

  /** The form's filters become the page's address; the console then passes them back in. */
  private apply = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const value = (name: string) => String(form.get(name) ?? '');
    this.navigate(consoleHref.blocklist(filterFromForm({ source: value('source'), reasonCode: value('reasonCode'), changedAfterLocal: value('changedAfter') })));
  };

  private clear = () => {
    this.navigate(consoleHref.blocklist());
  };

  private navigate(href: string): void {
    this.dispatchEvent(new CustomEvent('navigate', { detail: href, bubbles: true, composed: true }));
  }

  /** Reads every matching number as CSV, with the token, and saves it as a file. */
  private download = async () => {
    if (this.downloading) return;
    this.downloading = true;
    this.downloadError = undefined;
    try {
      saveFile(await this.api.blocklistCsv(this.filter), CSV_FILE_NAME, 'text/csv;charset=utf-8');
    } catch (error) {
      requestSignInIfRefused(this, error);
      this.downloadError = `The file could not be made. ${errorMessage(error)}`;
    } finally {
      this.downloading = false;
    }
  };
}

customElements.define('blocked-numbers', BlockedNumbers);

declare global {
  interface HTMLElementTagNameMap {
    'blocked-numbers': BlockedNumbers;
  }
}
