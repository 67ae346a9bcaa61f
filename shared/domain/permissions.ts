import type { Caller } from './caller.js';

/**
 * The permissions of the product. "Edit WhatsApp blocklist" is `whatsapp-blocklist:edit`; "Manage
 * personal data" (export and erase what is held about a number) is `privacy:manage`.
 */
export type Permission =
  | 'whatsapp-blocklist:edit'
  | 'whatsapp-blocklist:check'
  | 'profiles:write'
  | 'privacy:manage'
  | 'consent:read';

/** The Cognito groups that grant permissions. */
export const GROUPS = {
  blocklistEditors: 'whatsapp-blocklist-editors',
  profileAdmins: 'profile-admins',
  privacyOfficers: 'privacy-officers',
} as const;

/** Each permission is granted by any of its Cognito groups or OAuth scopes. */
const grants: Record<Permission, { groups: readonly string[]; scopes: readonly string[]; anyCaller: boolean }> = {
  'whatsapp-blocklist:edit': { groups: [GROUPS.blocklistEditors], scopes: ['whatsapp-blocklist/edit'], anyCaller: false },
  'profiles:write': { groups: [GROUPS.profileAdmins], scopes: ['profiles/write'], anyCaller: false },
  // Machine clients: the CDP's pipeline of data subjects' requests.
  'privacy:manage': { groups: [GROUPS.privacyOfficers], scopes: ['privacy/manage'], anyCaller: false },
  'whatsapp-blocklist:check': { groups: [], scopes: ['whatsapp-blocklist/check'], anyCaller: true },
  'consent:read': { groups: [], scopes: [], anyCaller: true },
};

/** Whether the caller holds the permission. */
export function can(caller: Caller, permission: Permission): boolean {
  const grant = grants[permission];
  return (
    grant.anyCaller ||
    grant.groups.some((group) => caller.groups.has(group)) ||
    grant.scopes.some((scope) => caller.scopes.has(scope))
  );
}
