/**
 * The local stand-in for IAM on the table. DynamoDB Local enforces no IAM, and all handlers share
 * one process and one client here, so a missing or excess grant would only show on AWS. Each
 * handler call runs inside `runAs(<function>)` (AsyncLocalStorage), and a middleware on the
 * local DynamoDB client refuses, like AccessDenied, any request the running function's declared
 * needs (shared/routes/function-needs.ts) do not allow: its actions, indexes, partition-key
 * prefixes (`dynamodb:LeadingKeys`) and attributes (`dynamodb:Attributes`). Calls made outside
 * any function (bootstrap, tests seeding data) pass unchecked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { functionNeeds, type TableGrant } from '#shared/routes/function-needs.js';
import type { SignedHttpTransport } from '#shared/store/signed-http-transport.js';
import { TABLE_INDEXES } from '#shared/store/table-definition.js';

const running = new AsyncLocalStorage<string>();

/** Runs `call` as function `name`: its table requests are checked against its needs. */
export function runAs<T>(name: string, call: () => T): T {
  return running.run(name, call);
}

/** One item-level access a request makes, as IAM sees it. */
export interface TableAccess {
  action: string;
  index?: string;
  /** Partition key value(s) the request touches (none known: a Query without an equality). */
  partitionKeys: string[];
  /** Top-level attributes the request names (writes), keys included. */
  attributes?: string[];
  returnValues?: string;
}

/** What IAM answers to a denied request, so handlers see the error they would see on AWS. */
export class LocalAccessDeniedError extends Error {
  override readonly name = 'AccessDeniedException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
}

type Input = Record<string, unknown>;
type Names = Record<string, string> | undefined;

/** A string attribute value, plain (document client) or marshalled (`{S: ...}`). */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
}

const KEYWORDS = new Set(['SET', 'REMOVE', 'ADD', 'DELETE', 'AND', 'OR', 'NOT', 'BETWEEN', 'IN']);

/** Top-level attribute names an expression uses (`#name` resolved; values and functions skipped). */
export function attributesIn(expression: unknown, names: Names): string[] {
  if (typeof expression !== 'string') return [];
  const found: string[] = [];
  for (const m of expression.matchAll(/(?<![:.#\w])(#?[A-Za-z_]\w*)/g)) {
    const token = m[1] ?? '';
    const after = expression.slice((m.index ?? 0) + token.length);
    if (/^\s*\(/.test(after)) continue;
    if (token.startsWith('#')) found.push(names?.[token] ?? token);
    else if (!KEYWORDS.has(token.toUpperCase())) found.push(token);
  }
  return found;
}

function keyOf(key: unknown): { pk: string | undefined; names: string[] } {
  const k = (key ?? {}) as Record<string, unknown>;
  return { pk: text(k.pk), names: Object.keys(k) };
}

/** A write's attributes: its key or item, and every name its expressions use. */
function writeAccess(action: string, request: Input, itemKey: unknown): TableAccess {
  const names = request.ExpressionAttributeNames as Names;
  const key = keyOf(itemKey);
  const attributes = new Set([
    ...key.names,
    ...attributesIn(request.UpdateExpression, names),
    ...attributesIn(request.ConditionExpression, names),
  ]);
  const returnValues = typeof request.ReturnValues === 'string' ? request.ReturnValues : undefined;
  return {
    action,
    partitionKeys: key.pk === undefined ? [] : [key.pk],
    attributes: [...attributes],
    ...(returnValues ? { returnValues } : {}),
  };
}

/** The partition a Query reads: the value its key condition compares the partition key with. */
function queryPartition(input: Input): string[] {
  const index = TABLE_INDEXES.find((i) => i.indexName === input.IndexName);
  const partitionKey = index?.partitionKey ?? 'pk';
  const names = input.ExpressionAttributeNames as Names;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const condition = String(input.KeyConditionExpression ?? '');
  for (const m of condition.matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    const name = m[1]?.startsWith('#') ? names?.[m[1]] : m[1];
    const value = text(values[m[2] ?? '']);
    if (name === partitionKey && value !== undefined) return [value];
  }
  return [];
}

/** The accesses of one DynamoDB command, by its client command name. */
export function accessesOf(commandName: string, input: Input): TableAccess[] {
  const action = commandName.replace(/Command$/, '');
  switch (action) {
    case 'GetItem':
      return [{ action, partitionKeys: [keyOf(input.Key).pk ?? ''] }];
    case 'BatchGetItem': {
      const requests = Object.values(
        (input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>,
      );
      const partitionKeys = requests.flatMap((r) => (r.Keys ?? []).map((k) => keyOf(k).pk ?? ''));
      return [{ action, partitionKeys }];
    }
    case 'Query':
      return [
        {
          action,
          partitionKeys: queryPartition(input),
          ...(typeof input.IndexName === 'string' ? { index: input.IndexName } : {}),
        },
      ];
    case 'PutItem':
      return [writeAccess(action, input, input.Item)];
    case 'UpdateItem':
    case 'DeleteItem':
      return [writeAccess(action, input, input.Key)];
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Record<string, Input | undefined>[]).flatMap(
        (item) => {
          if (item.Put) return [writeAccess('PutItem', item.Put, item.Put.Item)];
          if (item.Update) return [writeAccess('UpdateItem', item.Update, item.Update.Key)];
          if (item.Delete) return [writeAccess('DeleteItem', item.Delete, item.Delete.Key)];
          if (item.ConditionCheck) {
            return [
              writeAccess('ConditionCheckItem', item.ConditionCheck, item.ConditionCheck.Key),
            ];
          }
          return [{ action: 'Unknown', partitionKeys: [] }];
        },
      );
    default:
      return [{ action, partitionKeys: [] }];
  }
}

const ATTRIBUTE_RETURN_VALUES = new Set(['NONE', 'UPDATED_OLD', 'UPDATED_NEW']);

/** Whether one grant allows `access`, as IAM would evaluate it. */
function allows(grant: TableGrant, access: TableAccess): boolean {
  if (!grant.actions.some((a) => a === access.action)) return false;
  if (access.index !== undefined && grant.indexes !== 'all') {
    if (!grant.indexes.includes(access.index)) return false;
  }
  const prefixes = grant.partitionPrefixes;
  if (prefixes) {
    if (!access.partitionKeys.length) return false;
    if (!access.partitionKeys.every((pk) => prefixes.some((p) => pk.startsWith(p)))) return false;
  }
  const attributes = grant.attributes;
  if (attributes) {
    if (!(access.attributes ?? []).every((a) => attributes.includes(a))) return false;
    if (access.returnValues && !ATTRIBUTE_RETURN_VALUES.has(access.returnValues)) return false;
  }
  return true;
}

/** The first access no grant of `name` allows, if any. */
export function deniedAccess(name: string, accesses: TableAccess[]): TableAccess | undefined {
  const { table } = functionNeeds(name);
  return accesses.find((access) => !table.some((grant) => allows(grant, access)));
}

// biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware arguments differ per command
type Next = (args: any) => Promise<any>;
interface GuardableClient {
  middlewareStack: {
    add(
      middleware: (next: Next, context: { commandName?: string }) => Next,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/** Throws when the function running now may not send `commandName` with `input`. */
function refuseDenied(commandName: string, input: Input): void {
  const name = running.getStore();
  if (name === undefined) return;
  const denied = deniedAccess(name, accessesOf(commandName, input));
  if (denied) {
    throw new LocalAccessDeniedError(
      `functions/${name} is not authorized to perform dynamodb:${denied.action}` +
        ` (${JSON.stringify(denied)}): its needs in shared/routes/function-needs.ts do not allow it`,
    );
  }
}

/** Adds the guard to the local DynamoDB client (once: a second call replaces the first). */
export function guardTableClient(client: GuardableClient): void {
  client.middlewareStack.add(
    (next, context) => async (args: { input: Input }) => {
      refuseDenied(context.commandName ?? 'UnknownCommand', args.input);
      return next(args);
    },
    { step: 'initialize', name: 'gatehouseLocalAccessGuard', override: true },
  );
}

/** Adds the guard to the authorizer's signed HTTP transport (call it once per transport). */
export function guardTransport(transport: SignedHttpTransport): void {
  transport.onRequest((operation, input) => refuseDenied(operation, input as Input));
}
