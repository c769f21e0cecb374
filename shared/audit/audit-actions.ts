/**
 * Every audit event's `action`, as `<noun>.<verb>`: the one list the writers are typed against
 * (a new action name is a compile error until it is added here) and the audit listing's
 * `action` filter accepts. Dependency-free, so the console imports it too.
 */
export const AUDIT_ACTIONS = [
  'acl.grant',
  'acl.revoke',
  'api-token.create',
  'api-token.revoke',
  'group.create',
  'group.delete',
  'group.member.add',
  'group.member.remove',
  'group.role.bind',
  'group.role.unbind',
  'group.update',
  'invite.accept',
  'invite.bounce',
  'invite.complaint',
  'invite.create',
  'invite.resend',
  'invite.revoke',
  'mail.suppress',
  'member.add',
  'member.delete',
  'member.disable',
  'member.enable',
  'member.leave',
  'member.role.bind',
  'member.role.unbind',
  'namespace.delete',
  'namespace.set',
  'personal-token.create',
  'personal-token.revoke',
  'role.create',
  'role.delete',
  'role.update',
  'service-account.create',
  'service-account.delete',
  'service-account.group.add',
  'service-account.group.remove',
  'service-account.role.bind',
  'service-account.role.unbind',
  'service-account.update',
  'session.logout',
  'tenant.create',
  'tenant.limits',
  'tenant.update',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

/** Whether `name` is an action some audit event can have. */
export const isAuditAction = (name: string): name is AuditAction => KNOWN.has(name);
