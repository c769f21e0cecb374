/** The permissions that guard Gatehouse's own management API, and the built-in roles made of them. */
import type { Rule } from '#shared/acl/types.js';
import { SUPERUSER_RESOURCE } from '#shared/acl/types.js';

/** Resources under `gatehouse:` checked by the same engine as any tenant resource. */
export const MANAGED = {
  tenant: 'gatehouse:tenant',
  invites: 'gatehouse:invites',
  members: 'gatehouse:members',
  groups: 'gatehouse:groups',
  roles: 'gatehouse:roles',
  acls: 'gatehouse:acls',
  sessions: 'gatehouse:sessions',
  audit: 'gatehouse:audit',
  serviceAccounts: 'gatehouse:service-accounts',
} as const;

export const BUILT_IN_ROLES: Record<string, { name: string; permissions: Rule[] }> = {
  owner: { name: 'Owner', permissions: [{ resource: SUPERUSER_RESOURCE, action: 'full' }] },
  admin: {
    name: 'Admin',
    permissions: [
      { resource: MANAGED.tenant, action: 'read' },
      { resource: MANAGED.invites, action: 'full' },
      { resource: MANAGED.members, action: 'full' },
      { resource: MANAGED.groups, action: 'full' },
      { resource: MANAGED.roles, action: 'full' },
      { resource: MANAGED.acls, action: 'full' },
      { resource: MANAGED.sessions, action: 'full' },
      { resource: MANAGED.audit, action: 'read' },
      { resource: MANAGED.serviceAccounts, action: 'full' },
    ],
  },
  member: { name: 'Member', permissions: [{ resource: MANAGED.tenant, action: 'read' }] },
};

export const BUILT_IN_GROUPS: Record<string, { name: string; description: string; rules: Rule[] }> =
  {
    everyone: { name: 'Everyone', description: 'Every member of the tenant', rules: [] },
    superusers: {
      name: 'Superusers',
      description: 'Members with every permission in the tenant',
      rules: [{ resource: SUPERUSER_RESOURCE, action: 'full' }],
    },
  };
