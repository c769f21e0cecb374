/** `gatehouse users ...`: list, add, show, permissions, delete, force logout, disable and enable members. */
import type { Command } from 'commander';
import { tenantPath } from '../api-client.js';
import { type CommandContext, contextOf, type MemberBody, resolveUserId } from '../context.js';
import { emit, list, renderFields, renderTable } from '../output.js';
import { printItem, printPage, subcommand } from './command-kit.js';
import { collect, type PageOptions, withPaging } from './shared-options.js';

interface EffectiveRuleBody {
  resource: string;
  action: string;
  source: { type: string; groupId?: string; roleId?: string; scope?: string };
}

/** Where an effective rule came from, e.g. `role viewer@a:b via group ops`. */
function describeSource(s: EffectiveRuleBody['source']): string {
  if (s.type === 'direct') return 'direct';
  const via = s.groupId ? ` via group ${s.groupId}` : '';
  if (s.type === 'group') return `group ${s.groupId}`;
  return `role ${s.roleId}${s.scope ? `@${s.scope}` : ''}${via}`;
}

interface MemberDetail extends MemberBody {
  rules?: { resource: string; action: string }[];
}

function roleList(roles: MemberBody['roles']): string {
  return list(roles.map((r) => (r.scope ? `${r.roleId}@${r.scope}` : r.roleId)));
}

/** Renders members as a table. */
export function renderMembers(members: MemberBody[]): string {
  return renderTable(
    ['userId', 'email', 'status', 'roles', 'groups', 'joined'],
    members.map((m) => [
      m.userId,
      m.email,
      m.status,
      roleList(m.roles),
      list(m.groups),
      m.joinedAt,
    ]),
  );
}

function renderMember(m: MemberDetail): string {
  const fields = renderFields([
    ['userId', m.userId],
    ['email', m.email],
    ['status', m.status],
    ['joined', m.joinedAt],
    ['roles', roleList(m.roles)],
    ['groups', list(m.groups)],
  ]);
  if (!m.rules) return fields;
  const rules =
    m.rules.length === 0
      ? 'rules:   -'
      : `rules:\n${renderTable(
          ['resource', 'action'],
          m.rules.map((r) => [r.resource, r.action]),
        )}`;
  return `${fields}\n${rules}`;
}

async function setStatus(ctx: CommandContext, user: string, status: 'active' | 'disabled') {
  const tenant = ctx.tenant();
  const userId = await resolveUserId(ctx, user);
  const { body } = await ctx.api.request<MemberBody>(
    'PATCH',
    tenantPath(tenant, 'members', userId),
    {
      body: { status },
    },
  );
  emit(ctx.output, body, () => `${status === 'active' ? 'Enabled' : 'Disabled'} ${body.email}.`);
}

/** Registers the users command group. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description("manage the tenant's members");

  withPaging(
    users
      .command('list')
      .description('list members')
      .option('--group <id>', 'only members of this group')
      .option('--role <id>', 'only members with this role')
      .option('--email <prefix>', 'only members whose email starts with this'),
  ).action(
    async (
      opts: PageOptions & { group?: string; role?: string; email?: string },
      command: Command,
    ) => {
      const ctx = contextOf(command);
      const filters = { group: opts.group, role: opts.role, email: opts.email };
      await printPage(
        ctx,
        tenantPath(ctx.tenant(), 'members'),
        filters,
        opts,
        renderMembers,
        'No members match.',
      );
    },
  );

  users
    .command('add <email>')
    .description(
      'add a user by email: a pending member until they accept the invitation mailed to them',
    )
    .option('--role <id>', 'a role to give (repeatable)', collect)
    .option('--group <id>', 'a group to add them to (repeatable)', collect)
    .action(
      async (email: string, opts: { role?: string[]; group?: string[] }, command: Command) => {
        const ctx = contextOf(command);
        const { body } = await ctx.api.request<
          MemberBody & { inviteId: string; expiresAt: string }
        >('POST', tenantPath(ctx.tenant(), 'members'), {
          body: { email, roles: opts.role, groups: opts.group },
        });
        emit(ctx.output, body, () =>
          [
            `Added ${body.email} as a pending member (${body.userId}).`,
            renderMember(body),
            '',
            `An invitation was mailed to ${body.email} (invite ${body.inviteId}, expires ${body.expiresAt}).`,
            'They become a member when they accept it: with a new password if they have no account,',
            'or signed in if they have one. Grants given meanwhile are kept.',
          ].join('\n'),
        );
      },
    );

  subcommand(
    users,
    'show <user>',
    'show a member (userId or email) with groups, roles and direct rules',
    async (ctx, [user]) => {
      const userId = await resolveUserId(ctx, user);
      await printItem(ctx, tenantPath(ctx.tenant(), 'members', userId), renderMember);
    },
  );

  withPaging(
    subcommand<[string], PageOptions>(
      users,
      'permissions <user>',
      'list the effective permissions of a member (userId or email), each with its source',
      async (ctx, [user], opts) => {
        const userId = await resolveUserId(ctx, user);
        await printPage<EffectiveRuleBody>(
          ctx,
          tenantPath(ctx.tenant(), 'members', userId, 'permissions'),
          {},
          opts,
          (items) =>
            renderTable(
              ['resource', 'action', 'source'],
              items.map((r) => [r.resource, r.action, describeSource(r.source)]),
            ),
          'No permissions.',
        );
      },
    ),
  );

  subcommand(
    users,
    'delete <user>',
    'delete one member (userId or email) with their grants and pending invites',
    async (ctx, [user]) => {
      const tenant = ctx.tenant();
      const userId = await resolveUserId(ctx, user);
      await ctx.api.request('DELETE', tenantPath(tenant, 'members', userId));
      emit(
        ctx.output,
        { deleted: userId, tenantId: tenant },
        () => `Deleted ${user} from tenant ${tenant}.`,
      );
    },
  );

  subcommand(
    users,
    'logout <user>',
    'force a logout of a member (userId or email) in this tenant',
    async (ctx, [user]) => {
      const tenant = ctx.tenant();
      await ctx.api.request('POST', tenantPath(tenant, 'logout', user.trim()));
      emit(
        ctx.output,
        { loggedOut: user, tenantId: tenant },
        () => `Logged ${user} out of tenant ${tenant}: their current tokens no longer work here.`,
      );
    },
  );

  subcommand(
    users,
    'disable <user>',
    'disable a member (ends their sessions in this tenant)',
    (ctx, [user]) => setStatus(ctx, user, 'disabled'),
  );
  subcommand(users, 'enable <user>', 'enable a disabled member', (ctx, [user]) =>
    setStatus(ctx, user, 'active'),
  );
}
