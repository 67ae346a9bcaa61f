import type { Caller } from '../domain/caller.js';
import { ForbiddenError } from '../domain/errors.js';
import { can, type Permission } from '../domain/permissions.js';

const describe: Record<Permission, string> = {
  'whatsapp-blocklist:edit': 'the permission "Edit WhatsApp blocklist" (group whatsapp-blocklist-editors or scope whatsapp-blocklist/edit)',
  'profiles:write': 'the permission to manage profiles (group profile-admins or scope profiles/write)',
  'privacy:manage': 'the permission "Manage personal data" (group privacy-officers or scope privacy/manage)',
  'whatsapp-blocklist:check': 'the permission to check the blocklist (scope whatsapp-blocklist/check)',
  'consent:read': 'a valid token',
};

/** Throws a 403 unless the caller holds the permission. */
export function authorise(caller: Caller, permission: Permission): void {
  if (!can(caller, permission)) {
    throw new ForbiddenError(`This action needs ${describe[permission]}.`);
  }
}
