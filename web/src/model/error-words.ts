import { ApiError } from '../api/api-error.js';
import { EDIT_PERMISSION, PRIVACY_PERMISSION } from './consent-words.js';

/**
 * What the person was doing when the call failed: reading a page, changing a number (a block or unblock
 * in the reason dialog), releasing or discarding held automatic blocks, or erasing a number's personal
 * data.
 */
export type Activity = 'reading' | 'changing' | 'deciding-held' | 'erasing';

/** An erasure repeated deletes what the last one left, and nothing twice. */
const ERASE_AGAIN = 'Erase again: it finishes what is left, and repeats nothing.';

/** What failed, in words a person can act on. */
export function errorMessage(error: unknown, activity: Activity = 'reading'): string {
  if (!(error instanceof ApiError)) return 'Something went wrong in the console. Reload the page and try again.';
  switch (error.kind) {
    case 'unauthorized':
      return 'Your session has ended. Sign in again to continue where you were.';
    case 'forbidden':
      if (activity === 'reading') return `You are not allowed to see this. ${error.message}`;
      if (activity === 'erasing') return `You do not have the permission “${PRIVACY_PERMISSION}”, which erasing needs.`;
      return `You do not have the permission “${EDIT_PERMISSION}”, which ${activity === 'changing' ? 'changing a number' : 'releasing or discarding held blocks'} needs.`;
    case 'network':
      if (activity === 'changing') return `${error.message} Your request may not have arrived. Confirm again to retry: it will not be applied twice.`;
      if (activity === 'deciding-held') return `${error.message} Your request may not have arrived; the list shows what the service holds now. Check it, then try again.`;
      if (activity === 'erasing') return `${error.message} The erasure may have run in part, or not at all. ${ERASE_AGAIN}`;
      return `${error.message} Check your connection and try again.`;
    case 'unavailable':
      if (activity === 'erasing') return `The erasure did not finish. ${ERASE_AGAIN} (${error.message})`;
      return `The service is busy and recorded nothing. Try again in a moment. (${error.message})`;
    case 'conflict':
      return activity === 'changing' ? `${error.message} Close the dialog and start again.` : error.message;
    default:
      return error.message;
  }
}
