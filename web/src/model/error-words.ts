import { ApiError } from '../api/api-error.js';
import { EDIT_PERMISSION } from './consent-words.js';

/**
 * What the person was doing when the call failed: reading a page, changing a number (a block or unblock
 * in the reason dialog), or releasing or discarding held automatic blocks.
 */
export type Activity = 'reading' | 'changing' | 'deciding-held';

/** What failed, in words a person can act on. */
export function errorMessage(error: unknown, activity: Activity = 'reading'): string {
  if (!(error instanceof ApiError)) return 'Something went wrong in the console. Reload the page and try again.';
  switch (error.kind) {
    case 'unauthorized':
      return 'Your session has ended. Sign in again to continue where you were.';
    case 'forbidden':
      if (activity === 'reading') return `You are not allowed to see this. ${error.message}`;
      return `You do not have the permission “${EDIT_PERMISSION}”, which ${activity === 'changing' ? 'changing a number' : 'releasing or discarding held blocks'} needs.`;
    case 'network':
      if (activity === 'changing') return `${error.message} Your request may not have arrived. Confirm again to retry: it will not be applied twice.`;
      if (activity === 'deciding-held') return `${error.message} Your request may not have arrived; the list shows what the service holds now. Check it, then try again.`;
      return `${error.message} Check your connection and try again.`;
    case 'unavailable':
      return `The service is busy and recorded nothing. Try again in a moment. (${error.message})`;
    case 'conflict':
      return activity === 'changing' ? `${error.message} Close the dialog and start again.` : error.message;
    default:
      return error.message;
  }
}
