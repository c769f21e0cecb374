/** `gatehouse tenants create|show|list|leave`. */
import type { Command } from 'commander';
import { apiPath } from '../api-client.js';
import { emit, list, renderFields, renderTable } from '../output.js';
import { printItem, subcommand } from './command-kit.js';

interface TenantBody {
  tenantId: string;
  name: string;
  settings: { inviteTtlHours: number; defaultGroups: string[]; defaultRoles: string[] };
  createdAt: string;
  createdBy: string;
}

function renderTenant(t: TenantBody): string {
  return renderFields([
    ['tenant', t.tenantId],
    ['name', t.name],
    ['created', t.createdAt],
    ['createdBy', t.createdBy],
    ['inviteTtlHours', t.settings.inviteTtlHours],
    ['defaultRoles', list(t.settings.defaultRoles)],
    ['defaultGroups', list(t.settings.defaultGroups)],
  ]);
}

/** Registers the tenants command group. */
export function registerTenantCommands(program: Command): void {
  const tenants = program.command('tenants').description('create and read tenants');

  subcommand<[string, string]>(
    tenants,
    'create <id> <name>',
    'create a tenant; you become its first superuser',
    async (ctx, [tenantId, name]) => {
      const { body } = await ctx.api.request<TenantBody>('POST', '/v1/tenants', {
        body: { tenantId, name },
      });
      emit(ctx.output, body, () => `Created tenant ${body.tenantId}.\n${renderTenant(body)}`);
    },
  );

  subcommand<[string | undefined]>(
    tenants,
    'show [id]',
    'show a tenant and its settings (default: the current tenant)',
    (ctx, [id]) => printItem(ctx, apiPath('v1', 'tenants', id ?? ctx.tenant()), renderTenant),
  );

  subcommand<[]>(tenants, 'list', 'the tenants you belong to', async (ctx) => {
    const { body } = await ctx.api.request<{
      tenants: { tenantId: string; name: string; status: string; joinedAt: string }[];
    }>('GET', '/v1/me');
    emit(ctx.output, { items: body.tenants, nextCursor: null }, () =>
      renderTable(
        ['tenant', 'name', 'status', 'joined'],
        body.tenants.map((t) => [t.tenantId, t.name, t.status, t.joinedAt]),
      ),
    );
  });

  subcommand(
    tenants,
    'leave <id>',
    'leave a tenant: your membership, grants and personal tokens there are removed',
    async (ctx, [tenantId]) => {
      await ctx.api.request('DELETE', apiPath('v1', 'me', 'tenants', tenantId));
      emit(ctx.output, { tenantId, left: true }, () => `You left tenant ${tenantId}.`);
    },
  );
}
