import { css, html, nothing, svg } from 'lit';
import type { NumberConsent } from '../api/types.js';
import { actorName, statusOf } from '../model/consent-words.js';
import { readablePhone, readableTime } from '../model/format.js';

/** Who changed a number whose personal data was erased: nobody the service still names. */
const ERASED = '';

/** Drawn rather than typed, so that no font is needed; the words beside them carry the meaning. */
const ICONS = {
  ok: svg`<path d="M3 8.5l3.2 3.2L13 5" />`,
  blocked: svg`<circle cx="8" cy="8" r="6" /><path d="M3.8 12.2l8.4-8.4" />`,
  warning: svg`<path d="M8 1.8l6.6 12H1.4z" /><path d="M8 6.5v3.2M8 11.6v.4" />`,
} as const;

/**
 * A number's consent in words, shared by the profile page's rows and the number page: its status (icon
 * and words, not colour alone), who changed it, when and why, a marketing opt-out, and pending requests.
 */
export function numberState(number: NumberConsent) {
  const status = statusOf(number);
  return html`
    <p class="status ${status.tone}">
      <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">${ICONS[status.tone]}</svg>
      <strong>${status.label}</strong>${status.detail ? html`<span class="detail">${status.detail}</span>` : nothing}
    </p>
    ${number.updatedAt && number.updatedBy === ERASED
      ? html`<p class="changed">
          ${number.blocked ? 'Blocked' : 'Unblocked'} on <time datetime=${number.updatedAt}>${readableTime(number.updatedAt)}</time>. Who and
          why were erased with the number's personal data.
        </p>`
      : number.updatedAt
      ? html`<p class="changed">
          ${number.blocked ? 'Blocked' : 'Unblocked'} by ${actorName(number.updatedBySender ?? number.updatedBy)}
          on <time datetime=${number.updatedAt}>${readableTime(number.updatedAt)}</time>${number.source === 'manual' && number.reason
            ? html`, reason: <q>${number.reason}</q>`
            : nothing}.
        </p>`
      : html`<p class="changed muted">Never blocked.</p>`}
    ${number.marketingOptOut
      ? html`<p class="opt-out">
          Marketing opt-out since <time datetime=${number.marketingOptOut.since}>${readableTime(number.marketingOptOut.since)}</time>:
          no marketing messages. Only the recipient can resume them, from WhatsApp.
        </p>`
      : nothing}
    ${number.pending.map(
      (request) => html`<p class="pending">
        <span class="spinner" aria-hidden="true"></span><strong>Pending</strong>: ${request.action} requested
        <time datetime=${request.requestedAt}>${readableTime(request.requestedAt)}</time>; waiting to be applied.
      </p>`,
    )}
  `;
}

export function numberIdentity(phone: string) {
  return html`<span class="readable">${readablePhone(phone)}</span> <span class="e164 muted">${phone}</span>`;
}

export const numberStateStyles = css`
  .readable { font-weight: 600; font-size: 1.05rem; }
  .e164 { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9rem; }
  .status { margin: 0.25rem 0; display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: baseline; }
  .status .icon { width: 1em; height: 1em; align-self: center; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
  .status.ok { color: var(--ok); }
  .status.blocked { color: var(--blocked); }
  .status.warning { color: var(--warning); }
  .status .detail { color: var(--ink); }
  .changed, .opt-out, .pending { margin: 0.15rem 0; }
  .changed q { overflow-wrap: anywhere; }
  .opt-out { color: var(--warning); }
  .pending { color: var(--accent); }
  .spinner {
    display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; vertical-align: -0.05em;
    border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
`;
