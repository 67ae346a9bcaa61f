import { html, nothing } from 'lit';
import { ref, type Ref } from 'lit/directives/ref.js';
import { REASON_MAX_LENGTH } from '../model/reason.js';

/**
 * The reason a change needs, wherever it is asked for (the reason dialog, the held blocks' form): its
 * label, the field with the service's limit, the hint, and what went wrong, which the field names as its
 * description. Ids are fixed, so one per shadow root.
 */
export function reasonField(options: { input: Ref<HTMLInputElement>; invalid: boolean; error: string | undefined; readonly: boolean }) {
  return html`
    <label for="reason">Reason</label>
    <input
      ${ref(options.input)}
      id="reason"
      name="reason"
      type="text"
      autocomplete="off"
      maxlength=${REASON_MAX_LENGTH}
      aria-invalid=${options.invalid ? 'true' : 'false'}
      aria-describedby="reason-hint ${options.error ? 'reason-error' : ''}"
      ?readonly=${options.readonly}
    />
    <p class="hint" id="reason-hint">Required, 1 to ${REASON_MAX_LENGTH} characters.</p>
    ${options.error ? html`<p class="error" id="reason-error" role="alert">${options.error}</p>` : nothing}
  `;
}
