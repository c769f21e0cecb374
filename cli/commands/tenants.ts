/** `gatehouse tenants create|show|list|leave`. */
import type { Command } from 'commander';
import { apiPath } from '../api-client.js';
import { contextOf } from '../context.js';
import { emit, list, renderFields, renderTable } from '../output.js';

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

  tenants
    .command('create <id> <name>')
    .description('create a tenant; you become its first superuser')
    .action(async (tenantId: string, name: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const { body } = await ctx.api.request<TenantBody>('POST', '/v1/tenants', {
        body: { tenantId, name },
      });
      emit(ctx.output, body, () => `Created tenant ${body.tenantId}.\n${renderTenant(body)}`);
    });

  tenants
    .command('show [id]')
    .description('show a tenant and its settings (default: the current tenant)')
    .action(async (id: string | undefined, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const tenantId = id ?? ctx.tenant();
      const { body } = await ctx.api.request<TenantBody>('GET', apiPath('v1', 'tenants', tenantId));
      emit(ctx.output, body, () => renderTenant(body));
    });

  tenants
    .command('list')
    .description('the tenants you belong to')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command);
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

  tenants
    .command('leave <id>')
    .description('leave a tenant: your membership, grants and personal tokens there are removed')
    .action(async (tenantId: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      await ctx.api.request('DELETE', apiPath('v1', 'me', 'tenants', tenantId));
      emit(ctx.output, { tenantId, left: true }, () => `You left tenant ${tenantId}.`);
    });
}
