/** `gatehouse groups list|show|create|delete|add-member|remove-member`. */
import type { Command } from 'commander';
import { tenantPath } from '../api-client.js';
import { contextOf, resolveUserId } from '../context.js';
import { emit, list, morePages, renderFields, renderTable } from '../output.js';
import { type PageOptions, withPaging } from './shared-options.js';

interface GroupBody {
  groupId: string;
  name: string;
  description?: string;
  builtIn: boolean;
  createdAt: string;
  rules: { resource: string; action: string }[];
  roles: { roleId: string; scope?: string }[];
}

const rules = (g: GroupBody) => list(g.rules.map((r) => `${r.resource}:${r.action}`));
const roles = (g: GroupBody) =>
  list(g.roles.map((r) => (r.scope ? `${r.roleId}@${r.scope}` : r.roleId)));

function renderGroup(g: GroupBody): string {
  return renderFields([
    ['groupId', g.groupId],
    ['name', g.name],
    ['description', g.description],
    ['builtIn', g.builtIn],
    ['created', g.createdAt],
    ['roles', roles(g)],
    ['rules', rules(g)],
  ]);
}

/** Registers the groups command group. */
export function registerGroupCommands(program: Command): void {
  const groups = program.command('groups').description('manage groups and their members');

  withPaging(groups.command('list').description('list groups with their roles and rules')).action(
    async (opts: PageOptions, command: Command) => {
      const ctx = contextOf(command);
      const page = await ctx.api.list<GroupBody>(
        tenantPath(ctx.tenant(), 'groups'),
        { limit: opts.limit, cursor: opts.cursor },
        Boolean(opts.all),
      );
      emit(ctx.output, page, () =>
        renderTable(
          ['groupId', 'name', 'builtIn', 'roles', 'rules'],
          page.items.map((g) => [g.groupId, g.name, g.builtIn, roles(g), rules(g)]),
        ),
      );
      morePages(ctx.output, page.nextCursor);
    },
  );

  groups
    .command('show <id>')
    .description('show a group')
    .action(async (groupId: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const { body } = await ctx.api.request<GroupBody>(
        'GET',
        tenantPath(ctx.tenant(), 'groups', groupId),
      );
      emit(ctx.output, body, () => renderGroup(body));
    });

  groups
    .command('create <id> <name>')
    .description('create a group')
    .option('--description <text>', 'what the group is for')
    .action(
      async (groupId: string, name: string, opts: { description?: string }, command: Command) => {
        const ctx = contextOf(command);
        const { body } = await ctx.api.request<GroupBody>(
          'POST',
          tenantPath(ctx.tenant(), 'groups'),
          { body: { groupId, name, description: opts.description } },
        );
        emit(ctx.output, body, () => `Created group ${body.groupId}.`);
      },
    );

  groups
    .command('delete <id>')
    .description('delete a custom group (its members leave it)')
    .action(async (groupId: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      await ctx.api.request('DELETE', tenantPath(ctx.tenant(), 'groups', groupId));
      emit(ctx.output, { deleted: groupId }, () => `Deleted group ${groupId}.`);
    });

  groups
    .command('add-member <group> <user>')
    .description('add a member (userId or email) to a group')
    .action(async (groupId: string, user: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const userId = await resolveUserId(ctx, user);
      await ctx.api.request('PUT', tenantPath(ctx.tenant(), 'groups', groupId, 'members', userId));
      emit(ctx.output, { groupId, userId }, () => `Added ${user} to ${groupId}.`);
    });

  groups
    .command('remove-member <group> <user>')
    .description('remove a member (userId or email) from a group')
    .action(async (groupId: string, user: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const userId = await resolveUserId(ctx, user);
      await ctx.api.request(
        'DELETE',
        tenantPath(ctx.tenant(), 'groups', groupId, 'members', userId),
      );
      emit(ctx.output, { groupId, userId }, () => `Removed ${user} from ${groupId}.`);
    });
}
