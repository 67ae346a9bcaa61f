import { css, html, nothing } from 'lit';
import type { UnresolvedFailure, UnresolvedPage } from '../api/types.js';
import { errorMessage } from '../model/error-words.js';
import { unresolvedSummary } from '../model/held-and-unresolved.js';
import { consoleHref } from '../routes.js';
import { ApiElement } from './api-element.js';
import { moreButton, PagedList } from './paged-list.js';
import { codeCell, columnHeads, listPageStyles, timeCell } from './record-table.js';

/**
 * The provider's failure reports that named their recipient only by a business-scoped user id, which the
 * service could not yet match to a number. Once it learns which number the id stands for, it applies the
 * report, which then leaves this list. Read-only.
 */
export class UnresolvedRecipients extends ApiElement {
  static override styles = [
    listPageStyles,
    css`
      .summary { font-weight: 600; }
      td.reason { max-width: 22rem; overflow-wrap: anywhere; }
    `,
  ];

  protected readonly subjectKey = undefined;
  private readonly list = new PagedList<UnresolvedFailure, UnresolvedPage>(this, (cursor) => this.api.unresolved(cursor));

  protected load(): Promise<void> {
    return this.list.reload();
  }

  override render() {
    const { items, error, settled, lastPage } = this.list;
    return html`
      <p class="intro">
        WhatsApp reported these failed messages naming the recipient only by a business-scoped user id, which the
        service cannot yet match to a phone number. Once it learns the number behind an id, it applies the report
        and the report leaves this list.
      </p>
      ${error ? html`<p class="notice error" role="alert">The unresolved recipients could not be loaded. ${errorMessage(error)}</p>` : nothing}
      ${!settled && !error ? html`<p class="muted" role="status">Loading the unresolved recipients…</p>` : nothing}
      ${lastPage ? html`<p class=${lastPage.count === 0 ? 'card' : 'summary'}>${unresolvedSummary(lastPage.count)}</p>` : nothing}
      ${items.length > 0 ? this.renderTable(items) : nothing}
      ${moreButton(this.list, 'Show more')}
    `;
  }

  private renderTable(items: UnresolvedFailure[]) {
    return html`
      <div class="scroll">
        <table aria-label="Unresolved recipients">
          <thead>
            <tr>
              ${columnHeads(['User id', 'Sender', 'Code', 'Reason', 'Profile', 'Failed at', 'Received at'])}
            </tr>
          </thead>
          <tbody>
            ${items.map(
              (item) => html`<tr>
                <td class="mono">${item.userId}</td>
                <td class="mono">${item.sender}</td>
                ${codeCell(item.reasonCode)}
                <td class="reason">${item.reason}</td>
                <td>
                  ${item.profileId
                    ? html`<a href=${consoleHref.profile(item.profileId)}>${item.profileId}</a>`
                    : html`<span class="muted">none</span>`}
                </td>
                ${timeCell(item.failedAt)}
                ${timeCell(item.receivedAt)}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }
}

customElements.define('unresolved-recipients', UnresolvedRecipients);

declare global {
  interface HTMLElementTagNameMap {
    'unresolved-recipients': UnresolvedRecipients;
  }
}
