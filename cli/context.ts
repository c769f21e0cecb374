/** What a command runs with: output, target, an authenticated API client and the chosen tenant. */
import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { accessToken } from './auth.js';
import {
  configDir,
  type GlobalOptions,
  requireTenant,
  resolveTarget,
  type Target,
} from './config.js';
import { CliError, EXIT } from './errors.js';
import { type Output, processOutput } from './output.js';

/** The pieces a command action needs, resolved lazily from the global options. */
export interface CommandContext {
  output: Output;
  target: Target;
  configDir: string;
  /** A client that sends the stored (refreshed) access token. */
  api: ApiClient;
  /** A client that sends no token (sign-in flows). */
  anonymous: ApiClient;
  /** The tenant of tenant-scoped commands (usage error when none is chosen). */
  tenant(): string;
}

/** Builds the context of the command being run. */
export function contextOf(command: Command): CommandContext {
  const opts = command.optsWithGlobals<GlobalOptions>();
  const output = processOutput(Boolean(opts.json));
  const target = resolveTarget(opts);
  const dir = configDir();
  return {
    output,
    target,
    configDir: dir,
    api: new ApiClient(target.apiUrl, () => accessToken(dir, target.apiUrl), target.tenant),
    anonymous: new ApiClient(target.apiUrl, undefined, target.tenant),
    tenant: () => requireTenant(target),
  };
}

/** A member as the member routes return it. */
export interface MemberBody {
  userId: string;
  email: string;
  status: string;
  joinedAt: string;
  groups: string[];
  roles: { roleId: string; scope?: string }[];
}

/**
 * The userId for a user argument: an id is used as is; an email is looked up among the tenant's
 * members (the list filters by prefix, so the exact address is matched here).
 */
export async function resolveUserId(ctx: CommandContext, idOrEmail: string): Promise<string> {
  if (!idOrEmail.includes('@')) return idOrEmail;
  const email = idOrEmail.trim().toLowerCase();
  const tenant = ctx.tenant();
  const page = await ctx.api.list<MemberBody>(
    `/v1/tenants/${encodeURIComponent(tenant)}/members`,
    { email, limit: 100 },
    true,
  );
  const match = page.items.find((m) => m.email === email);
  if (!match) {
    throw new CliError(
      `No member with email ${email} in tenant ${tenant}.`,
      EXIT.notFound,
      'check the address with `gatehouse users list --email <prefix>`, or the tenant with --tenant',
    );
  }
  return match.userId;
}
