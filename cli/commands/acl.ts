/** `gatehouse acl grant|revoke|list` and `gatehouse check`: DC/OS-style rules and decisions. */
import type { Command } from 'commander';
import type { Action } from '#shared/acl/types.js';
import { tenantPath } from '../api-client.js';
import { type CommandContext, contextOf, resolveUserId } from '../context.js';
import { EXIT, SilentExit, usageError } from '../errors.js';
import { emit, renderFields, renderTable } from '../output.js';
import { printPage } from './command-kit.js';
import { type PageOptions, parseAction, withPaging } from './shared-options.js';

interface PrincipalOptions {
  user?: string;
  group?: string;
}

/** The path segments naming the principal of a rule: `users/<id>` or `groups/<id>`. */
async function principal(
  ctx: CommandContext,
  opts: PrincipalOptions,
): Promise<{ kind: 'users' | 'groups'; id: string; label: string }> {
  if ((opts.user === undefined) === (opts.group === undefined)) {
    throw usageError('Give exactly one of --user <id-or-email> and --group <id>.');
  }
  if (opts.user !== undefined) {
    return { kind: 'users', id: await resolveUserId(ctx, opts.user), label: `user ${opts.user}` };
  }
  const group = opts.group ?? '';
  return { kind: 'groups', id: group, label: `group ${group}` };
}

function aclCommand(parent: Command, name: 'grant' | 'revoke'): void {
  parent
    .command(name)
    .description(
      name === 'grant'
        ? 'grant an action on a resource (and everything under it) to a user or group'
        : 'revoke a rule from a user or group',
    )
    .argument('<rid>', 'resource id, e.g. dcos:service:marathon:marathon:services/prod')
    .argument('<action>', 'create | read | update | delete | full', parseAction)
    .option('--user <id-or-email>', 'the member')
    .option('--group <id>', 'the group')
    .action(async (rid: string, action: Action, opts: PrincipalOptions, command: Command) => {
      const ctx = contextOf(command);
      const tenant = ctx.tenant();
      const who = await principal(ctx, opts);
      await ctx.api.request(
        name === 'grant' ? 'PUT' : 'DELETE',
        tenantPath(tenant, 'acls', rid, who.kind, who.id, action),
      );
      const principalId = `${who.kind === 'users' ? 'user' : 'group'}:${who.id}`;
      emit(ctx.output, { principal: principalId, resource: rid, action }, () =>
        name === 'grant'
          ? `Granted ${action} on ${rid} to ${who.label}.`
          : `Revoked ${action} on ${rid} from ${who.label}.`,
      );
    });
}

/** Registers the acl command group and check. */
export function registerAclCommands(program: Command): void {
  const acl = program.command('acl').description('grant and revoke rules on resources');
  aclCommand(acl, 'grant');
  aclCommand(acl, 'revoke');

  withPaging(
    acl
      .command('list')
      .description('list rules granted to users and groups')
      .option('--user <id-or-email>', 'only rules of this member')
      .option('--group <id>', 'only rules of this group')
      .option('--resource <rid>', 'only rules on this resource'),
  ).action(
    async (opts: PageOptions & PrincipalOptions & { resource?: string }, command: Command) => {
      const ctx = contextOf(command);
      let filter: string | undefined;
      if (opts.user !== undefined || opts.group !== undefined) {
        const who = await principal(ctx, opts);
        filter = `${who.kind === 'users' ? 'user' : 'group'}:${who.id}`;
      }
      await printPage<{ principal: string; resource: string; action: string }>(
        ctx,
        tenantPath(ctx.tenant(), 'acls'),
        { principal: filter, resource: opts.resource },
        opts,
        (items) =>
          renderTable(
            ['principal', 'resource', 'action'],
            items.map((r) => [r.principal, r.resource, r.action]),
          ),
        'No rules match.',
      );
    },
  );

  program
    .command('check')
    .description('may this member do this action on this resource? exit 0 allowed, 3 denied')
    .argument('<user>', 'userId or email of the member')
    .argument('<rid>', 'resource id')
    .argument('<action>', 'create | read | update | delete | full', parseAction)
    .action(async (user: string, rid: string, action: Action, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const subject = user.includes('@') ? { email: user } : { userId: user };
      const { body } = await ctx.api.request<{ allowed: boolean; reason: string }>(
        'POST',
        tenantPath(ctx.tenant(), 'check'),
        { body: { ...subject, resource: rid, action } },
      );
      emit(ctx.output, body, () =>
        renderFields([
          ['allowed', body.allowed ? 'yes' : 'no'],
          ['reason', body.reason],
        ]),
      );
      if (!body.allowed) throw new SilentExit(EXIT.denied);
    });
}
