/** `gatehouse groups list|show|create|delete|add-member|remove-member`. */
import type { Command } from 'commander';
import { tenantPath } from '../api-client.js';
import { type CommandContext, resolveUserId } from '../context.js';
import { emit, list, renderFields, renderTable } from '../output.js';
import { listCommand, printItem, subcommand } from './command-kit.js';

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
  const group = (ctx: CommandContext, ...rest: string[]) =>
    tenantPath(ctx.tenant(), 'groups', ...rest);

  listCommand(groups, 'list groups with their roles and rules', group, (items: GroupBody[]) =>
    renderTable(
      ['groupId', 'name', 'builtIn', 'roles', 'rules'],
      items.map((g) => [g.groupId, g.name, g.builtIn, roles(g), rules(g)]),
    ),
  );

  subcommand(groups, 'show <id>', 'show a group', (ctx, [groupId]) =>
    printItem(ctx, group(ctx, groupId), renderGroup),
  );

  subcommand<[string, string], { description?: string }>(
    groups,
    'create <id> <name>',
    'create a group',
    async (ctx, [groupId, name], opts) => {
      const { body } = await ctx.api.request<GroupBody>('POST', group(ctx), {
        body: { groupId, name, description: opts.description },
      });
      emit(ctx.output, body, () => `Created group ${body.groupId}.`);
    },
  ).option('--description <text>', 'what the group is for');

  subcommand(
    groups,
    'delete <id>',
    'delete a custom group (its members leave it)',
    async (ctx, [groupId]) => {
      await ctx.api.request('DELETE', group(ctx, groupId));
      emit(ctx.output, { deleted: groupId }, () => `Deleted group ${groupId}.`);
    },
  );

  /** Adds (PUT) or removes (DELETE) a member of a group, then says `done(user, groupId)`. */
  const membership =
    (method: 'PUT' | 'DELETE', done: (user: string, groupId: string) => string) =>
    async (ctx: CommandContext, [groupId, user]: [string, string]) => {
      const userId = await resolveUserId(ctx, user);
      await ctx.api.request(method, group(ctx, groupId, 'members', userId));
      emit(ctx.output, { groupId, userId }, () => done(user, groupId));
    };
  subcommand(
    groups,
    'add-member <group> <user>',
    'add a member (userId or email) to a group',
    membership('PUT', (user, groupId) => `Added ${user} to ${groupId}.`),
  );
  subcommand(
    groups,
    'remove-member <group> <user>',
    'remove a member (userId or email) from a group',
    membership('DELETE', (user, groupId) => `Removed ${user} from ${groupId}.`),
  );
}
