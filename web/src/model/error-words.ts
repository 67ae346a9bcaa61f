import { ApiError } from '../api/api-error.js';
import { EDIT_PERMISSION } from './consent-words.js';

/** What failed, in words a person can act on. `changing` is true for a block or unblock. */
export function errorMessage(error: unknown, changing = false): string {
  if (!(error instanceof ApiError)) return 'Something went wrong in the console. Reload the page and try again.';
  switch (error.kind) {
    case 'unauthorized':
      return 'Your session has ended. Sign in again to continue where you were.';
    case 'forbidden':
      return changing
        ? `You do not have the permission “${EDIT_PERMISSION}”, which changing a number needs.`
        : `You are not allowed to see this. ${error.message}`;
    case 'network':
      return changing
        ? `${error.message} Your request may not have arrived. Confirm again to retry: it will not be applied twice.`
        : `${error.message} Check your connection and try again.`;
    case 'unavailable':
      return `The service is busy and recorded nothing. Try again in a moment. (${error.message})`;
    case 'conflict':
      return `${error.message} Close the dialog and start again.`;
    default:
      return error.message;
  }
}
