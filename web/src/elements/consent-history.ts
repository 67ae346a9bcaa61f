import { LitElement, css, html, nothing } from 'lit';
import type { AuditEntry, Page } from '../api/types.js';
import { actorName, entryAction, entryReason, outcomeName } from '../model/consent-words.js';
import { errorMessage } from '../model/error-words.js';
import { readablePhone } from '../model/format.js';
import { moreButton, PagedList } from './paged-list.js';
import { columnHeads, tableStyles, timeCell } from './record-table.js';
import { baseStyles } from './shared-styles.js';

export type HistoryLoader = (cursor: string | null) => Promise<Page<AuditEntry>>;

/**
 * A history of changes, newest first, one page at a time: who, what, which number (or profile), the
 * reason or the provider's code, the outcome and when. "Show more" loads the next page.
 */
export class ConsentHistory extends LitElement {
  static override properties = {
    loader: { attribute: false },
    /** `number`: the entries are of one number, so show the profile column instead of the number. */
    perspective: { type: String },
  };

  static override styles = [
    baseStyles,
    tableStyles,
    css`
      :host { display: block; }
      td.reason { max-width: 28rem; overflow-wrap: anywhere; }
    `,
  ];

  declare loader: HistoryLoader | undefined;
  declare perspective: 'profile' | 'number';
  private readonly list = new PagedList<AuditEntry>(this, (cursor) => this.loader?.(cursor) ?? Promise.resolve({ items: [], nextCursor: null }));

  constructor() {
    super();
    this.perspective = 'profile';
  }

  override willUpdate(changed: Map<PropertyKey, unknown>) {
    if (changed.has('loader') && this.loader) void this.reload();
  }

  /** Loads the first page again (after a change was applied). */
  reload(): Promise<void> {
    return this.list.reload();
  }

  override render() {
    const byNumber = this.perspective === 'number';
    const { items, error, loading } = this.list;
    return html`
      ${error ? html`<p class="notice error" role="alert">The history could not be loaded. ${errorMessage(error)}</p>` : nothing}
      ${items.length === 0 && !error
        ? html`<p class="muted">${loading ? 'Loading the history…' : 'No changes yet.'}</p>`
        : html`
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    ${columnHeads(['When', byNumber ? 'Profile' : 'Number', 'Action', 'Who', 'Reason', 'Outcome'])}
                  </tr>
                </thead>
                <tbody>
                  ${items.map(
                    (entry) => html`
                      <tr>
                        ${timeCell(entry.requestedAt)}
                        <td>${byNumber ? (entry.profileId ?? html`<span class="muted">none</span>`) : readablePhone(entry.phone)}</td>
                        <td>${entryAction(entry)}</td>
                        <td>${actorName(entry.actor)}</td>
                        <td class="reason">${entryReason(entry)}</td>
                        <td>${outcomeName(entry.outcome)}</td>
                      </tr>
                    `,
                  )}
                </tbody>
              </table>
            </div>
          `}
      ${moreButton(this.list, 'Show older changes')}
    `;
  }
}

customElements.define('consent-history', ConsentHistory);

declare global {
  interface HTMLElementTagNameMap {
    'consent-history': ConsentHistory;
  }
}
