/** Types of the ACL model: rules, roles, bindings and the tenant policy the engine evaluates. */

export const ACTIONS = ['create', 'read', 'update', 'delete', 'full'] as const;
export type Action = (typeof ACTIONS)[number];

/** A permission: an action on a hierarchical resource id (`:` and `/` separate levels). */
export interface Rule {
  resource: string;
  action: Action;
}

/** A role bound to a principal or group, on everything or only under `scope`. */
export interface RoleBinding {
  roleId: string;
  scope?: string;
}

/** What a group carries: its own rules and the roles bound to it. */
export interface GroupGrants {
  rules: Rule[];
  roles: RoleBinding[];
}

/**
 * The tenant-wide policy: every role's permissions, every group's grants and the
 * registered resource namespaces (prefix -> the only actions grantable under it).
 * One versioned item per tenant; cached by the authorizer, keyed by version.
 */
export interface TenantPolicy {
  version: number;
  roles: Record<string, Rule[]>;
  groups: Record<string, GroupGrants>;
  namespaces: Record<string, Action[]>;
}

/** What a principal (member or service account) carries directly. */
export interface PrincipalGrants {
  groups: string[];
  roles: RoleBinding[];
  rules: Rule[];
  /**
   * Whether the principal is in `everyone` (every member is; service accounts are not, so a
   * rule for all members never reaches a backend's token). Default true.
   */
  everyone?: boolean;
}

/** Where an effective permission came from. */
export type GrantSource =
  | { type: 'direct' }
  | { type: 'group'; groupId: string }
  | { type: 'role'; roleId: string; scope?: string; groupId?: string };

export interface EffectiveRule extends Rule {
  source: GrantSource;
}

export interface Decision {
  allowed: boolean;
  /** Human-readable reason, e.g. "dcos:service:marathon full via group ops". */
  reason: string;
  /** The rule that allowed it, when allowed. */
  matched?: EffectiveRule;
}

export const SUPERUSER_RESOURCE = 'gatehouse:superuser';
export const EVERYONE_GROUP = 'everyone';
export const SUPERUSERS_GROUP = 'superusers';
