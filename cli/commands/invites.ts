/** `gatehouse invite <emails...>` and `gatehouse invites list|show|resend|revoke`. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { tenantPath } from '../api-client.js';
import { type CommandContext, contextOf } from '../context.js';
import { ApiError, CliError, EXIT, SilentExit, usageError } from '../errors.js';
import { emit, list, renderFields, renderTable } from '../output.js';
import { printItem, printPage, subcommand } from './command-kit.js';
import { collect, type PageOptions, withPaging } from './shared-options.js';

/** The API accepts at most this many addresses per request. */
const BATCH = 100;
/** `bounced` and `complained`: SES reported a hard bounce or a spam report; the address is suppressed. */
const STATUSES = ['pending', 'expired', 'accepted', 'revoked', 'bounced', 'complained'];

interface InviteResult {
  email: string;
  status: 'invited' | 'already_member' | 'already_invited' | 'invalid' | 'suppressed';
  inviteId?: string;
  expiresAt?: string;
}

interface InviteBody {
  inviteId: string;
  email: string;
  status: string;
  roles: string[];
  groups: string[];
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  sendCount: number;
  lastSentAt: string;
  deliveryStatus: string;
  deliveryProblemAt?: string;
  deliveryProblemDetail?: string;
  acceptedAt?: string;
  revokedAt?: string;
}

interface InviteOptions {
  role?: string[];
  group?: string[];
  message?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits the arguments into addresses (commas, spaces, newlines); `-` reads stdin. */
async function addresses(args: string[]): Promise<string[]> {
  const parts: string[] = [];
  for (const arg of args) parts.push(arg === '-' ? await readStdin() : arg);
  return parts
    .join('\n')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function retryable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status >= 500;
}

/** Sends one batch; a retry after a failure reuses the Idempotency-Key so nothing is sent twice. */
async function sendBatch(
  ctx: CommandContext,
  tenant: string,
  emails: string[],
  opts: InviteOptions,
): Promise<InviteResult[]> {
  const key = randomUUID();
  const send = () =>
    ctx.api.request<{ results: InviteResult[] }>('POST', tenantPath(tenant, 'invites'), {
      body: { emails, roles: opts.role, groups: opts.group, message: opts.message },
      headers: { 'idempotency-key': key },
    });
  try {
    return (await send()).body.results;
  } catch (error) {
    if (!retryable(error)) throw error;
    return (await send()).body.results;
  }
}

function renderInvite(i: InviteBody): string {
  return renderFields([
    ['inviteId', i.inviteId],
    ['email', i.email],
    ['status', i.status],
    ['roles', list(i.roles)],
    ['groups', list(i.groups)],
    ['invitedBy', i.invitedBy],
    ['created', i.createdAt],
    ['expires', i.expiresAt],
    ['sendCount', i.sendCount],
    ['lastSent', i.lastSentAt],
    ['delivery', i.deliveryStatus],
    ['problem', i.deliveryProblemDetail],
    ['problemAt', i.deliveryProblemAt],
    ['accepted', i.acceptedAt],
    ['revoked', i.revokedAt],
  ]);
}

/** Registers `invite` and the `invites` command group. */
export function registerInviteCommands(program: Command): void {
  program
    .command('invite <emails...>')
    .description('invite people by email (commas, spaces or newlines separate; `-` reads stdin)')
    .option('--role <id>', 'a role to give on acceptance (repeatable)', collect)
    .option('--group <id>', 'a group to join on acceptance (repeatable)', collect)
    .option('--message <text>', 'a one-line note for the invitation email')
    .action(async (args: string[], opts: InviteOptions, command: Command) => {
      const ctx = contextOf(command);
      const tenant = ctx.tenant();
      const emails = await addresses(args);
      if (emails.length === 0) throw usageError('No email addresses given.');
      const batches = Math.ceil(emails.length / BATCH);
      const results: InviteResult[] = [];
      for (let b = 0; b < batches; b++) {
        const batch = emails.slice(b * BATCH, (b + 1) * BATCH);
        try {
          results.push(...(await sendBatch(ctx, tenant, batch, opts)));
        } catch (error) {
          if (b > 0 && error instanceof CliError) {
            ctx.output.err(`Stopped after ${results.length} of ${emails.length} addresses.`);
          }
          throw error;
        }
        if (batches > 1) ctx.output.err(`invited ${results.length}/${emails.length} addresses`);
      }
      emit(ctx.output, { results }, () => {
        const counts = new Map<string, number>();
        for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
        return `${renderTable(
          ['email', 'status', 'inviteId', 'expires'],
          results.map((r) => [r.email, r.status, r.inviteId, r.expiresAt]),
        )}\n${summary}`;
      });
      // Scripts must notice a batch in which every address was refused as invalid.
      if (results.length > 0 && results.every((r) => r.status === 'invalid')) {
        throw new SilentExit(EXIT.invalid);
      }
    });

  const invites = program.command('invites').description('list, resend and revoke invites');

  withPaging(
    invites
      .command('list')
      .description('list invites, newest first')
      .option('--status <status>', `only ${STATUSES.join(' | ')}`),
  ).action(async (opts: PageOptions & { status?: string }, command: Command) => {
    if (opts.status && !STATUSES.includes(opts.status)) {
      throw usageError(`--status must be one of ${STATUSES.join(', ')}.`);
    }
    const ctx = contextOf(command);
    await printPage<InviteBody>(
      ctx,
      tenantPath(ctx.tenant(), 'invites'),
      { status: opts.status },
      opts,
      (items) =>
        renderTable(
          ['inviteId', 'email', 'status', 'roles', 'groups', 'expires', 'sent'],
          items.map((i) => [
            i.inviteId,
            i.email,
            i.status,
            list(i.roles),
            list(i.groups),
            i.expiresAt,
            i.sendCount,
          ]),
        ),
      'No invites.',
    );
  });

  const invite = (ctx: CommandContext, ...rest: string[]) =>
    tenantPath(ctx.tenant(), 'invites', ...rest);
  subcommand(invites, 'show <inviteId>', 'show one invite', (ctx, [inviteId]) =>
    printItem(ctx, invite(ctx, inviteId), renderInvite),
  );

  subcommand(
    invites,
    'resend <inviteId>',
    'send a pending or expired invite again, with a new link and expiry',
    async (ctx, [inviteId]) => {
      const { body } = await ctx.api.request<{ expiresAt: string }>(
        'POST',
        invite(ctx, inviteId, 'resend'),
      );
      emit(ctx.output, body, () => `Resent ${inviteId}; the new link expires ${body.expiresAt}.`);
    },
  );

  subcommand(
    invites,
    'revoke <inviteId>',
    'revoke an invite: its link stops working',
    async (ctx, [inviteId]) => {
      await ctx.api.request('DELETE', invite(ctx, inviteId));
      emit(ctx.output, { revoked: inviteId }, () => `Revoked ${inviteId}.`);
    },
  );
}
