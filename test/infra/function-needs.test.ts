/**
 * Least privilege per function: every deployed function's policy is exactly its declared needs
 * (shared/routes/function-needs.ts), and every need is something its bundle can call. Each
 * entry is bundled the way CDK bundles it (esbuild, ESM, tree-shaken) but not minified, so the
 * AWS SDK command classes it can send are visible by name.
 *
 * Tree-shaking cannot tell which methods of an adapter a function calls (the storage port holds
 * every DynamoDB command, the Cognito adapter every admin command): the local stack's access
 * guard (local/access-guard.ts) refuses undeclared table requests, so the e2e suite proves the
 * declared table needs suffice.
 */
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { build as bundle } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiFunction, PROJECT_ROOT } from '#infra/constructs/api-function.js';
import { lambdaBuildOptions } from '#infra/constructs/bundling.js';
import { type FunctionNeeds, functionNeeds } from '#shared/routes/function-needs.js';
import { SIGNED_HTTP_OPERATIONS } from '#shared/store/signed-http-transport.js';
import {
  envOf,
  roleStatements,
  type Statement,
  type Synthesized,
  synthesize,
} from './synth-kit.js';

/** DynamoDB commands (client and document client) -> the IAM actions they are authorized as. */
const DYNAMODB_COMMANDS: Record<string, readonly string[]> = {
  GetItemCommand: ['GetItem'],
  GetCommand: ['GetItem'],
  BatchGetItemCommand: ['BatchGetItem'],
  BatchGetCommand: ['BatchGetItem'],
  QueryCommand: ['Query'],
  ScanCommand: ['Scan'],
  PutItemCommand: ['PutItem'],
  PutCommand: ['PutItem'],
  UpdateItemCommand: ['UpdateItem'],
  UpdateCommand: ['UpdateItem'],
  DeleteItemCommand: ['DeleteItem'],
  DeleteCommand: ['DeleteItem'],
  BatchWriteItemCommand: ['BatchWriteItem'],
  BatchWriteCommand: ['BatchWriteItem'],
  TransactWriteItemsCommand: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  TransactWriteCommand: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
};

/** Cognito calls authorized by the user's own token rather than IAM. */
const TOKEN_AUTHORIZED = new Set(['GlobalSignOut', 'InitiateAuth', 'RevokeToken']);

const SES_COMMANDS: Record<string, string> = {
  SendEmailCommand: 'ses:SendEmail',
  SendRawEmailCommand: 'ses:SendRawEmail',
};

/** Added by CDK for the wiring, not by the code: logs, tracing, the stream source, dead letters. */
const WIRING =
  /^(logs|xray|sqs):|^dynamodb:(ListStreams|DescribeStream|GetRecords|GetShardIterator)$/;

interface BundleFacts {
  /** IAM actions the bundle's SDK commands can be authorized as. */
  callable: Set<string>;
  dynamodb: boolean;
  cognitoAdmin: boolean;
  ses: boolean;
}

/**
 * Bundles `entry` as CDK does, unminified, and lists what its SDK commands (or the signed HTTP
 * transport's operations) can do.
 */
async function bundleFacts(entry: string): Promise<BundleFacts> {
  const result = await bundle({
    // The deployed options with the SDK always in (whatever sdkSource decides, the commands a
    // function sends are in the SDK code it imports), unminified so class names stay readable.
    ...lambdaBuildOptions('bundled'),
    entryPoints: [join(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    minify: false,
    sourcemap: false,
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  const declared = new Set(
    [...text.matchAll(/\b(?:class|var|let|const) (\w+(?:Command|Client))\b/g)].map((m) => m[1]),
  );
  const callable = new Set<string>();
  // The authorizer's signed HTTP transport sends DynamoDB requests without the SDK's client: the
  // operations it serves are what it can call.
  const signedHttp = /\bfunction createHttpTransport\(/.test(text);
  if (signedHttp) for (const a of SIGNED_HTTP_OPERATIONS) callable.add(`dynamodb:${a}`);
  const dynamodb = declared.has('DynamoDBClient') || signedHttp;
  const cognito = declared.has('CognitoIdentityProviderClient');
  const ses = declared.has('SESClient');
  for (const name of declared) {
    if (!name) continue;
    if (dynamodb) for (const a of DYNAMODB_COMMANDS[name] ?? []) callable.add(`dynamodb:${a}`);
    const cognitoCall = /^(Admin\w+|GlobalSignOut|InitiateAuth|RevokeToken)Command$/.exec(
      name,
    )?.[1];
    if (cognito && cognitoCall && !TOKEN_AUTHORIZED.has(cognitoCall)) {
      callable.add(`cognito-idp:${cognitoCall}`);
    }
    const sesAction = SES_COMMANDS[name];
    if (ses && sesAction) callable.add(sesAction);
  }
  return {
    callable,
    dynamodb,
    cognitoAdmin: [...callable].some((a) => a.startsWith('cognito-idp:')),
    ses: callable.has('ses:SendEmail'),
  };
}

/** The IAM actions `needs` amount to. */
function neededActions(needs: FunctionNeeds): Set<string> {
  return new Set([
    ...needs.table.flatMap((grant) => grant.actions.map((a) => `dynamodb:${a}`)),
    ...needs.cognito.map((a) => `cognito-idp:${a}`),
    ...(needs.ses ? ['ses:SendEmail'] : []),
  ]);
}

/** Granted actions the bundle holds no command for: grants the code never uses. */
function unusedGrants(actions: Iterable<string>, facts: BundleFacts): string[] {
  return [...actions].filter((a) => !facts.callable.has(a)).sort();
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The folder under functions/ that an entry belongs to: its name in the needs table. */
const nameOf = (fn: ApiFunction) => fn.entry.split('/')[1] ?? fn.entry;

let app: Synthesized;
let deployed: ApiFunction[];
const facts = new Map<string, BundleFacts>();

beforeAll(async () => {
  app = synthesize({ bundle: false });
  deployed = app.api.node.findAll().filter((c): c is ApiFunction => c instanceof ApiFunction);
  // One at a time: this machine has two cores and other processes beside the tests.
  for (const fn of deployed) facts.set(nameOf(fn), await bundleFacts(fn.entry));
}, 300_000);

describe('function needs', () => {
  it('finds every deployed function, each with declared needs', () => {
    expect(deployed.map(nameOf).sort()).toEqual(
      expect.arrayContaining(['authorizer', 'docs', 'fallback', 'invites', 'offboarding']),
    );
    for (const fn of deployed) expect(() => functionNeeds(nameOf(fn))).not.toThrow();
  });

  it("grants each function exactly its declared needs (beyond CDK's wiring)", () => {
    for (const fn of deployed) {
      const granted = new Set(
        roleStatements(app.api, app.apiTemplate, fn)
          .flatMap(actionsOf)
          .filter((a) => !WIRING.test(a)),
      );
      const name = nameOf(fn);
      expect([...granted].sort(), name).toEqual([...neededActions(functionNeeds(name))].sort());
    }
  });

  it('gives TABLE_NAME only to functions that need the table', () => {
    for (const fn of deployed) {
      const resource = app.apiTemplate.toJSON().Resources[
        app.api.getLogicalId(fn.fn.node.defaultChild as CfnElement)
      ] as { Properties?: Record<string, unknown>; Type: string };
      const needsTable = functionNeeds(nameOf(fn)).table.length > 0;
      expect('TABLE_NAME' in envOf(resource), nameOf(fn)).toBe(needsTable);
    }
  });

  it('declares nothing a bundle holds no SDK command for', () => {
    for (const [name, bundleFacts] of facts) {
      expect(unusedGrants(neededActions(functionNeeds(name)), bundleFacts), name).toEqual([]);
    }
  });

  it('declares each AWS service a bundle can call', () => {
    for (const [name, f] of facts) {
      const needs = functionNeeds(name);
      expect({ name, table: needs.table.length > 0 }).toEqual({ name, table: f.dynamodb });
      expect({ name, cognito: needs.cognito.length > 0 }).toEqual({
        name,
        cognito: f.cognitoAdmin,
      });
      expect({ name, ses: needs.ses }).toEqual({ name, ses: f.ses });
    }
  });

  it('would flag the grants the route functions used to share', () => {
    // What every route function held before needs were declared: the check above must fail on it.
    const old = [
      'dynamodb:BatchWriteItem',
      'cognito-idp:AdminUserGlobalSignOut',
      'ses:SendEmail',
      'ses:SendRawEmail',
    ];
    const invites = facts.get('invites');
    const audit = facts.get('audit');
    if (!invites || !audit) throw new Error('invites and audit were not bundled');
    expect(unusedGrants(old, invites)).toEqual([
      'cognito-idp:AdminUserGlobalSignOut',
      'dynamodb:BatchWriteItem',
      'ses:SendEmail',
      'ses:SendRawEmail',
    ]);
    expect(unusedGrants(['cognito-idp:AdminGetUser'], audit)).toEqual(['cognito-idp:AdminGetUser']);
  });
});
