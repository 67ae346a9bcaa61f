import { LitElement, css, html, nothing } from 'lit';
import type { AuditEntry, Page } from '../api/types.js';
import { actionName, actorName, entryReason, outcomeName } from '../model/consent-words.js';
import { errorMessage } from '../model/error-words.js';
import { readablePhone, readableTime } from '../model/format.js';
import { baseStyles } from './shared-styles.js';
import { requestSignInIfRefused } from './signin-required.js';

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
    entries: { state: true },
    nextCursor: { state: true },
    loading: { state: true },
    error: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      .scroll { overflow-x: auto; }
      table { border-collapse: collapse; width: 100%; font-size: 0.93rem; }
      caption { text-align: left; }
      th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); }
      th { background: var(--subtle); font-weight: 600; white-space: nowrap; }
      td.when { white-space: nowrap; }
      td.reason { max-width: 28rem; overflow-wrap: anywhere; }
      .more { margin-top: 0.75rem; }
    `,
  ];

  declare loader: HistoryLoader | undefined;
  declare perspective: 'profile' | 'number';
  declare entries: AuditEntry[];
  declare nextCursor: string | null;
  declare loading: boolean;
  declare error: unknown;

  constructor() {
    super();
    this.perspective = 'profile';
    this.entries = [];
    this.nextCursor = null;
    this.loading = false;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>) {
    if (changed.has('loader') && this.loader) void this.reload();
  }

  /** Loads the first page again (after a change was applied). */
  async reload(): Promise<void> {
    await this.load(null, true);
  }

  private async load(cursor: string | null, replace: boolean): Promise<void> {
    if (!this.loader) return;
    this.loading = true;
    try {
      const page = await this.loader(cursor);
      this.entries = replace ? page.items : [...this.entries, ...page.items];
      this.nextCursor = page.nextCursor;
      this.error = undefined;
    } catch (error) {
      this.error = error;
      requestSignInIfRefused(this, error);
    } finally {
      this.loading = false;
    }
  }

  override render() {
    const byNumber = this.perspective === 'number';
    return html`
      ${this.error ? html`<p class="notice error" role="alert">The history could not be loaded. ${errorMessage(this.error)}</p>` : nothing}
      ${this.entries.length === 0 && !this.error
        ? html`<p class="muted">${this.loading ? 'Loading the history…' : 'No changes yet.'}</p>`
        : html`
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">${byNumber ? 'Profile' : 'Number'}</th>
                    <th scope="col">Action</th>
                    <th scope="col">Who</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.entries.map(
                    (entry) => html`
                      <tr>
                        <td class="when"><time datetime=${entry.requestedAt}>${readableTime(entry.requestedAt)}</time></td>
                        <td>${byNumber ? (entry.profileId ?? html`<span class="muted">none</span>`) : readablePhone(entry.phone)}</td>
                        <td>${actionName(entry.action)}</td>
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
      ${this.nextCursor
        ? html`<button class="more" ?disabled=${this.loading} @click=${() => this.load(this.nextCursor, false)}>
            ${this.loading ? 'Loading…' : 'Show older changes'}
          </button>`
        : nothing}
    `;
  }
}

customElements.define('consent-history', ConsentHistory);

declare global {
  interface HTMLElementTagNameMap {
    'consent-history': ConsentHistory;
  }
}
