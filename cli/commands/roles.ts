/** `gatehouse roles list|show|create|delete`. */
import type { Command } from 'commander';
import type { Action } from '#shared/acl/types.js';
import { tenantPath } from '../api-client.js';
import { contextOf } from '../context.js';
import { usageError } from '../errors.js';
import { emit, list, renderFields, renderTable } from '../output.js';
import { listCommand, printItem, subcommand } from './command-kit.js';
import { parsePermission } from './shared-options.js';

interface RoleBody {
  roleId: string;
  name: string;
  builtIn: boolean;
  createdAt: string;
  permissions: { resource: string; action: string }[];
}

const permissions = (r: RoleBody) => list(r.permissions.map((p) => `${p.resource}:${p.action}`));

/** Registers the roles command group. */
export function registerRoleCommands(program: Command): void {
  const roles = program.command('roles').description('manage roles (named sets of permissions)');

  listCommand(
    roles,
    'list roles with their permissions',
    (ctx) => tenantPath(ctx.tenant(), 'roles'),
    (items: RoleBody[]) =>
      renderTable(
        ['roleId', 'name', 'builtIn', 'permissions'],
        items.map((r) => [r.roleId, r.name, r.builtIn, permissions(r)]),
      ),
  );

  subcommand(roles, 'show <id>', 'show a role', (ctx, [roleId]) =>
    printItem<RoleBody>(ctx, tenantPath(ctx.tenant(), 'roles', roleId), (body) =>
      renderFields([
        ['roleId', body.roleId],
        ['name', body.name],
        ['builtIn', body.builtIn],
        ['created', body.createdAt],
        ['permissions', permissions(body)],
      ]),
    ),
  );

  roles
    .command('create <id> <name>')
    .description('create a role; you must hold every permission you put in it')
    .option(
      '--permission <resource:action>',
      'a permission, e.g. dcos:service:marathon:full (repeatable)',
      parsePermission,
    )
    .action(
      async (
        roleId: string,
        name: string,
        opts: { permission?: { resource: string; action: Action }[] },
        command: Command,
      ) => {
        if (!opts.permission?.length) {
          throw usageError('Give at least one --permission <resource>:<action>.');
        }
        const ctx = contextOf(command);
        const { body } = await ctx.api.request<RoleBody>(
          'POST',
          tenantPath(ctx.tenant(), 'roles'),
          { body: { roleId, name, permissions: opts.permission } },
        );
        emit(ctx.output, body, () => `Created role ${body.roleId}: ${permissions(body)}.`);
      },
    );

  subcommand(
    roles,
    'delete <id>',
    'delete a custom role and every binding of it',
    async (ctx, [roleId]) => {
      await ctx.api.request('DELETE', tenantPath(ctx.tenant(), 'roles', roleId));
      emit(ctx.output, { deleted: roleId }, () => `Deleted role ${roleId}.`);
    },
  );
}
