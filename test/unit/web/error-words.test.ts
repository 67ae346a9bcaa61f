import { ApiError } from '../../../web/src/api/api-error.js';
import { errorMessage } from '../../../web/src/model/error-words.js';

describe('errorMessage', () => {
  it('names the permission on a refused change', () => {
    expect(errorMessage(new ApiError('forbidden', 'no', 403, undefined), 'changing')).toBe(
      'You do not have the permission “Edit WhatsApp blocklist”, which changing a number needs.',
    );
  });

  it('tells a person that a change retried after a network error is not applied twice', () => {
    expect(errorMessage(ApiError.network(new TypeError('x')), 'changing')).toBe(
      'The service could not be reached. Your request may not have arrived. Confirm again to retry: it will not be applied twice.',
    );
  });

  it('names the permission on a refused release or discard, and after a network error asks to check the list before retrying', () => {
    expect(errorMessage(new ApiError('forbidden', 'no', 403, undefined), 'deciding-held')).toBe(
      'You do not have the permission “Edit WhatsApp blocklist”, which releasing or discarding held blocks needs.',
    );
    expect(errorMessage(ApiError.network(new TypeError('x')), 'deciding-held')).toBe(
      'The service could not be reached. Your request may not have arrived; the list shows what the service holds now. Check it, then try again.',
    );
  });

  it('names "Manage personal data" on a refused erasure, and says that erasing again is harmless after a network error or a busy service', () => {
    expect(errorMessage(new ApiError('forbidden', 'no', 403, undefined), 'erasing')).toBe('You do not have the permission “Manage personal data”, which erasing needs.');
    expect(errorMessage(ApiError.network(new TypeError('x')), 'erasing')).toBe(
      'The service could not be reached. The erasure may have run in part, or not at all. Erase again: it finishes what is left, and repeats nothing.',
    );
    expect(errorMessage(new ApiError('unavailable', 'The number kept changing.', 503, undefined), 'erasing')).toBe(
      'The erasure did not finish. Erase again: it finishes what is left, and repeats nothing. (The number kept changing.)',
    );
  });

  it('asks to sign in again on a refused token, and passes the API detail through otherwise', () => {
    expect(errorMessage(new ApiError('unauthorized', 'x', 401, undefined))).toMatch(/^Your session has ended\. Sign in again/);
    expect(errorMessage(new ApiError('not-found', 'Profile p does not exist.', 404, undefined))).toBe('Profile p does not exist.');
    expect(errorMessage(new Error('boom'))).toBe('Something went wrong in the console. Reload the page and try again.');
  });
});
