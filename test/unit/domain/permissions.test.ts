import { can, type Permission } from '../../../shared/domain/permissions.js';
import { callerWith } from '../support/samples.js';

function callerHolding({ groups = [], scopes = [] }: { groups?: string[]; scopes?: string[] }) {
  return callerWith({ groups: new Set(groups), scopes: new Set(scopes) });
}

describe('can', () => {
  it.each<[Permission, string]>([
    ['whatsapp-blocklist:edit', 'whatsapp-blocklist-editors'],
    ['profiles:write', 'profile-admins'],
    ['privacy:manage', 'privacy-officers'],
  ])('grants %s to the group %s', (permission, group) => {
    expect(can(callerHolding({ groups: [group] }), permission)).toBe(true);
  });

  it.each<[Permission, string]>([
    ['whatsapp-blocklist:edit', 'whatsapp-blocklist/edit'],
    ['profiles:write', 'profiles/write'],
    ['whatsapp-blocklist:check', 'whatsapp-blocklist/check'],
    ['privacy:manage', 'privacy/manage'],
  ])('grants %s to the scope %s', (permission, scope) => {
    expect(can(callerHolding({ scopes: [scope] }), permission)).toBe(true);
  });

  it.each<Permission>(['whatsapp-blocklist:check', 'consent:read'])('grants %s to any caller with a valid token', (permission) => {
    expect(can(callerHolding({}), permission)).toBe(true);
  });

  it.each<[Permission, { groups?: string[]; scopes?: string[] }]>([
    ['whatsapp-blocklist:edit', {}],
    ['whatsapp-blocklist:edit', { scopes: ['whatsapp-blocklist/check'] }],
    ['whatsapp-blocklist:edit', { groups: ['profile-admins'], scopes: ['profiles/write'] }],
    ['whatsapp-blocklist:edit', { groups: ['whatsapp-blocklist/edit'] }],
    ['whatsapp-blocklist:edit', { scopes: ['whatsapp-blocklist-editors'] }],
    ['whatsapp-blocklist:edit', { groups: ['WhatsApp-Blocklist-Editors'] }],
    ['profiles:write', {}],
    ['profiles:write', { groups: ['whatsapp-blocklist-editors'], scopes: ['whatsapp-blocklist/edit'] }],
    ['profiles:write', { scopes: ['profiles/read'] }],
    // Editing the blocklist or managing profiles is no licence to read or erase a person's data.
    ['privacy:manage', {}],
    ['privacy:manage', { groups: ['whatsapp-blocklist-editors', 'profile-admins'], scopes: ['whatsapp-blocklist/edit', 'profiles/write'] }],
    ['privacy:manage', { groups: ['privacy/manage'] }],
    ['privacy:manage', { scopes: ['privacy-officers'] }],
  ])('refuses %s to a caller with %j', (permission, holding) => {
    expect(can(callerHolding(holding), permission)).toBe(false);
  });
});
