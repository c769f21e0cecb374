/** Option parsers shared by command groups: repeatable ids, page options, permissions. */
import { type Command, InvalidArgumentError } from 'commander';
import { ACTIONS, type Action } from '#shared/acl/types.js';

/** Collects a repeatable option (`--role a --role b`, or `--role a,b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** Parses a positive integer option. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** Page options of list commands. */
export interface PageOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** Adds `--limit`, `--cursor` and `--all` to a list command. */
export function withPaging(command: Command): Command {
  return command
    .option('--limit <n>', 'items per page (1-100, default 25)', positiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'fetch every page');
}

/** Parses an action name (`create`, `read`, `update`, `delete`, `full`). */
export function parseAction(value: string): Action {
  if (!(ACTIONS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${ACTIONS.join(', ')}`);
  }
  return value as Action;
}

/** Parses `<resource>:<action>`; the action follows the last `:` since resources hold colons. */
export function parsePermission(
  value: string,
  previous: { resource: string; action: Action }[] = [],
): { resource: string; action: Action }[] {
  const at = value.lastIndexOf(':');
  if (at <= 0) throw new InvalidArgumentError('must be <resource>:<action>');
  return [...previous, { resource: value.slice(0, at), action: parseAction(value.slice(at + 1)) }];
}
