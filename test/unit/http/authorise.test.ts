import { ForbiddenError } from '../../../shared/domain/errors.js';
import { authorise } from '../../../shared/http/authorise.js';
import { callerWith } from '../support/samples.js';

describe('authorise', () => {
  it('lets an editor block and unblock', () => {
    expect(() => authorise(callerWith({ groups: new Set(['whatsapp-blocklist-editors']) }), 'whatsapp-blocklist:edit')).not.toThrow();
  });

  it('refuses a caller without the permission with a 403 that names the group and the scope', () => {
    const checkOnly = callerWith({ groups: new Set(), scopes: new Set(['whatsapp-blocklist/check']) });

    expect(() => authorise(checkOnly, 'whatsapp-blocklist:edit')).toThrow(ForbiddenError);
    expect(() => authorise(checkOnly, 'whatsapp-blocklist:edit')).toThrow(
      'This action needs the permission "Edit WhatsApp blocklist" (group whatsapp-blocklist-editors or scope whatsapp-blocklist/edit).',
    );
  });

  it('refuses an editor the management of profiles with a 403', () => {
    let refusal: unknown;
    try {
      authorise(callerWith({ groups: new Set(['whatsapp-blocklist-editors']) }), 'profiles:write');
    } catch (error) {
      refusal = error;
    }

    expect(refusal).toBeInstanceOf(ForbiddenError);
    expect(refusal).toMatchObject({
      status: 403,
      message: 'This action needs the permission to manage profiles (group profile-admins or scope profiles/write).',
    });
  });

  it('refuses an editor the export and erasure of personal data with a 403 that names the group and the scope', () => {
    const editor = callerWith({ groups: new Set(['whatsapp-blocklist-editors']) });

    expect(() => authorise(editor, 'privacy:manage')).toThrow(
      'This action needs the permission "Manage personal data" (group privacy-officers or scope privacy/manage).',
    );
    expect(() => authorise(callerWith({ groups: new Set(['privacy-officers']) }), 'privacy:manage')).not.toThrow();
  });
});
