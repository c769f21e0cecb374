/** Plumbing the command groups share: a subcommand that runs with its context, paged lists, shows. */
import type { Command } from 'commander';
import { type CommandContext, contextOf } from '../context.js';
import { emit, morePages } from '../output.js';
import { type PageOptions, withPaging } from './shared-options.js';

/**
 * Adds `spec` (`name <arg> [arg]`) to `parent` with `description`. Its action runs `run` with the
 * context of the command, the positional arguments and the options (declared on the returned
 * command with `.option(...)`).
 */
export function subcommand<A extends unknown[] = [string], O = Record<string, never>>(
  parent: Command,
  spec: string,
  description: string,
  run: (ctx: CommandContext, args: A, opts: O, command: Command) => Promise<void>,
): Command {
  return parent
    .command(spec)
    .description(description)
    .action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const opts = params[params.length - 2] as O;
      await run(contextOf(command), params.slice(0, -2) as A, opts, command);
    });
}

/**
 * Prints one page of `path` (every page with `--all`) narrowed by `filters`: `empty` when it has
 * no items and `empty` is given, else `table(items)`; then the hint that more pages exist.
 */
export async function printPage<T>(
  ctx: CommandContext,
  path: string,
  filters: Record<string, string | number | undefined>,
  opts: PageOptions,
  table: (items: T[]) => string,
  empty?: string,
): Promise<void> {
  const page = await ctx.api.list<T>(
    path,
    { ...filters, limit: opts.limit, cursor: opts.cursor },
    Boolean(opts.all),
  );
  emit(ctx.output, page, () =>
    empty !== undefined && page.items.length === 0 ? empty : table(page.items),
  );
  morePages(ctx.output, page.nextCursor);
}

/** A paged `list` command (no filters) of the items at `path(ctx)`, printed with `table`. */
export function listCommand<T>(
  parent: Command,
  description: string,
  path: (ctx: CommandContext) => string,
  table: (items: T[]) => string,
): Command {
  return withPaging(
    subcommand<[], PageOptions>(parent, 'list', description, (ctx, _args, opts) =>
      printPage<T>(ctx, path(ctx), {}, opts, table),
    ),
  );
}

/** GETs `path` and prints the body (`render` for people, as is with --json). */
export async function printItem<B>(
  ctx: CommandContext,
  path: string,
  render: (body: B) => string,
): Promise<void> {
  const { body } = await ctx.api.request<B>('GET', path);
  emit(ctx.output, body, () => render(body));
}
