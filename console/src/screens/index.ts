/**
 * The console's screens, in tab order: each a route (`#/members`), a label and a component.
 * A screen lists the API routes it needs to read; its tab is shown only to viewers who may.
 */
import type { FunctionComponent } from 'preact';
import type { Method } from '../abilities.js';
import type { ApiClient } from '../api/client.js';
import type { paths } from '../api/schema.js';
import type { Me } from '../me.js';
import { AclsScreen } from './acls.js';
import { AuditScreen } from './audit.js';
import { CheckScreen } from './check.js';
import { GroupsScreen } from './groups.js';
import { InvitesScreen } from './invites.js';
import { MembersScreen } from './members.js';
import { MyTokensScreen } from './my-tokens.js';
import { NamespacesScreen } from './namespaces.js';
import { RolesScreen } from './roles.js';
import { ServiceAccountsScreen } from './service-accounts.js';
import { SettingsScreen } from './settings.js';

export interface ScreenProps {
  api: ApiClient;
  tenantId: string;
  me: Me;
}

export interface Screen {
  route: string;
  label: string;
  component: FunctionComponent<ScreenProps>;
  /** The route that lists what the screen shows; without leave to call it the tab is hidden. */
  reads: [Method, keyof paths];
}

export const SCREENS: Screen[] = [
  {
    route: 'members',
    label: 'Members',
    component: MembersScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/members'],
  },
  {
    route: 'invites',
    label: 'Invites',
    component: InvitesScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/invites'],
  },
  {
    route: 'groups',
    label: 'Groups',
    component: GroupsScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/groups'],
  },
  {
    route: 'roles',
    label: 'Roles',
    component: RolesScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/roles'],
  },
  {
    route: 'acls',
    label: 'ACLs',
    component: AclsScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/acls'],
  },
  {
    route: 'namespaces',
    label: 'Namespaces',
    component: NamespacesScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/namespaces'],
  },
  {
    route: 'check',
    label: 'Check',
    component: CheckScreen,
    reads: ['POST', '/v1/tenants/{tenantId}/check'],
  },
  {
    route: 'service-accounts',
    label: 'Service accounts',
    component: ServiceAccountsScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/service-accounts'],
  },
  {
    route: 'my-tokens',
    label: 'My tokens',
    component: MyTokensScreen,
    reads: ['GET', '/v1/me/tokens'],
  },
  {
    route: 'audit',
    label: 'Audit log',
    component: AuditScreen,
    reads: ['GET', '/v1/tenants/{tenantId}/audit'],
  },
  {
    route: 'settings',
    label: 'Settings',
    component: SettingsScreen,
    reads: ['GET', '/v1/tenants/{tenantId}'],
  },
];
