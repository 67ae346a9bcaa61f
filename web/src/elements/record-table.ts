import { css, html } from 'lit';
import { readableTime } from '../model/format.js';
import { baseStyles, panelStyles } from './shared-styles.js';

/** Tables of records (the history, the held and unresolved lists): scrolling sideways on narrow screens. */
export const tableStyles = css`
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 0.93rem; }
  caption { text-align: left; }
  th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); }
  thead th { background: var(--subtle); font-weight: 600; white-space: nowrap; }
  td.when { white-space: nowrap; }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88rem; }
  .more { margin-top: 0.75rem; }
`;

/** A page that is a list of the whole service (the held blocks, the unresolved recipients). */
export const listPageStyles = [
  baseStyles,
  panelStyles,
  tableStyles,
  css`
    .intro { max-width: 48rem; }
  `,
];

/** A table's column headers, by name. */
export function columnHeads(names: readonly string[]) {
  return names.map((name) => html`<th scope="col">${name}</th>`);
}

/** A cell with a timestamp for people, and the exact one for machines. */
export function timeCell(iso: string) {
  return html`<td class="when"><time datetime=${iso}>${readableTime(iso)}</time></td>`;
}

/** A cell with the provider's error code, or saying there is none. */
export function codeCell(code: string | null) {
  return html`<td class="mono">${code ?? html`<span class="muted">none</span>`}</td>`;
}
