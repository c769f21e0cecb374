/** `gatehouse tokens ...`: your personal API tokens (mint for the chosen tenant, list, revoke). */
import type { Command } from 'commander';
import { apiPath, tenantPath } from '../api-client.js';
import { contextOf } from '../context.js';
import { emit, renderFields, renderTable } from '../output.js';
import { subcommand } from './command-kit.js';
import { positiveInt } from './shared-options.js';

interface TokenBody {
  tokenId: string;
  tenantId: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  status: string;
}

/** Registers the tokens command group. */
export function registerTokenCommands(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('your personal API tokens (they act as you, in one tenant)');

  tokens
    .command('create <name>')
    .description('mint a personal token for the tenant; it is printed once, store it now')
    .option('--days <n>', 'lifetime in days (1-365, default 90)', positiveInt)
    .action(async (name: string, opts: { days?: number }, command: Command) => {
      const ctx = contextOf(command);
      const tenantId = ctx.tenant();
      const me = await ctx.api.request<{ userId: string }>('GET', apiPath('v1', 'me'));
      const { body } = await ctx.api.request<TokenBody & { token: string }>(
        'POST',
        tenantPath(tenantId, 'members', me.body.userId, 'tokens'),
        { body: { name, expiresInDays: opts.days } },
      );
      emit(ctx.output, body, () =>
        [
          renderFields([
            ['tokenId', body.tokenId],
            ['tenant', body.tenantId],
            ['expires', body.expiresAt],
          ]),
          '',
          body.token,
          '',
          'This is the only time the token is shown. Use it as `Authorization: Bearer <token>`.',
        ].join('\n'),
      );
    });

  tokens
    .command('list')
    .description('list your personal tokens (every tenant unless --tenant is given)')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const tenantId = command.optsWithGlobals<{ tenant?: string }>().tenant;
      const all = await ctx.api.list<TokenBody>(apiPath('v1', 'me', 'tokens'), {}, true);
      const page = tenantId
        ? { ...all, items: all.items.filter((t) => t.tenantId === tenantId) }
        : all;
      emit(ctx.output, page, () =>
        page.items.length === 0
          ? 'No personal tokens.'
          : renderTable(
              ['tokenId', 'tenant', 'name', 'status', 'expires', 'last used'],
              page.items.map((t) => [
                t.tokenId,
                t.tenantId,
                t.name,
                t.status,
                t.expiresAt,
                t.lastUsedAt,
              ]),
            ),
      );
    });

  subcommand(
    tokens,
    'revoke <tokenId>',
    'revoke one of your personal tokens; it stops working on the next request',
    async (ctx, [tokenId]) => {
      await ctx.api.request('DELETE', apiPath('v1', 'me', 'tokens', tokenId));
      emit(ctx.output, { revoked: tokenId }, () => `Revoked token ${tokenId}.`);
    },
  );
}
