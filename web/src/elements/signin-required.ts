import { ApiError } from '../api/api-error.js';

/** Raised when the API refused the token: the host signs the person in again and keeps the page. */
export const SIGNIN_REQUIRED = 'consent-signin-required';

export function requestSignInIfRefused(source: EventTarget, error: unknown): void {
  if (error instanceof ApiError && error.kind === 'unauthorized') {
    source.dispatchEvent(new CustomEvent(SIGNIN_REQUIRED, { bubbles: true, composed: true }));
  }
}
