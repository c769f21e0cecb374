/**
 * What each deployed function may do with AWS, declared beside the route table: its table
 * access, the Cognito admin actions and whether it sends mail. The CDK stack grants exactly
 * this, an infra test checks it against what each bundle can call, and the local stack refuses
 * a table request a function has not declared, so the e2e suite proves the needs suffice.
 */
import { AUTHORIZER_TABLE_ACCESS, type TableAction } from '#authorizer/table-access.js';
import type { ApiFunctionName } from '#shared/routes/route-types.js';
import { keys } from '#shared/store/keys.js';

/** DynamoDB data-plane actions (a TransactWriteItems is authorized as its items' actions). */
export type DynamoAction = TableAction;

/** Cognito admin calls (IAM-authorized). GlobalSignOut is authorized by the token, not IAM. */
export type CognitoAction =
  | 'AdminCreateUser'
  | 'AdminDeleteUser'
  | 'AdminGetUser'
  | 'AdminSetUserPassword';

/** One grant on the Gatehouse table. */
export interface TableGrant {
  readonly actions: readonly DynamoAction[];
  /** Which named indexes the grant also covers. */
  readonly indexes: 'all' | readonly string[];
  /** Only items whose partition key starts with one of these (IAM `dynamodb:LeadingKeys`). */
  readonly partitionPrefixes?: readonly string[];
  /** Only these top-level attributes, keys included (IAM `dynamodb:Attributes`). */
  readonly attributes?: readonly string[];
}

export interface FunctionNeeds {
  /** No grant: the function has no table (no TABLE_NAME either). */
  readonly table: readonly TableGrant[];
  readonly cognito: readonly CognitoAction[];
  /** ses:SendEmail through the stage's SES identity. */
  readonly ses: boolean;
}

const READ_ACTIONS: readonly DynamoAction[] = ['GetItem', 'BatchGetItem', 'Query'];

/** Read the table and every named index. */
export const TABLE_READ: TableGrant = { actions: READ_ACTIONS, indexes: 'all' };

/** Read and write the table through the storage port (shared/store/table.ts: no batch writes, no scans). */
export const TABLE_WRITE: TableGrant = {
  actions: [...READ_ACTIONS, 'ConditionCheckItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
  indexes: 'all',
};

const none: FunctionNeeds = { table: [], cognito: [], ses: false };
const reads: FunctionNeeds = { table: [TABLE_READ], cognito: [], ses: false };
const writes: FunctionNeeds = { table: [TABLE_WRITE], cognito: [], ses: false };

/** The functions the route table names (`examples` is the local example service, not deployed). */
export type RouteFunctionName = Exclude<ApiFunctionName, 'examples'>;

/** Functions deployed beside the routes. */
export type WorkerFunctionName =
  | 'authorizer'
  | 'fallback'
  | 'mailer'
  | 'mail-redrive'
  | 'mail-events'
  | 'offboarding';

export type DeployedFunctionName = RouteFunctionName | WorkerFunctionName;

/**
 * Every deployed function's needs, keyed by its folder under functions/. Found by following
 * each handler's imports: Cognito calls are in shared/identity/cognito-identity.ts (tenants and
 * me only describe the caller; invites also create users at accept), SES in
 * shared/mail/ses-mailer.ts (the mailer and the re-drive only: routes write outbox items).
 */
export const FUNCTION_NEEDS: Readonly<Record<DeployedFunctionName, FunctionNeeds>> = {
  tenants: { ...writes, cognito: ['AdminGetUser'] },
  me: { ...writes, cognito: ['AdminGetUser'] },
  invites: {
    ...writes,
    cognito: ['AdminGetUser', 'AdminCreateUser', 'AdminSetUserPassword', 'AdminDeleteUser'],
  },
  members: writes,
  groups: writes,
  roles: writes,
  acls: writes,
  'service-accounts': writes,
  audit: reads,
  docs: none,
  fallback: none,
  // The package's list (packages/authorizer): every authorizer, Gatehouse's or a consumer's, gets the same.
  authorizer: { table: AUTHORIZER_TABLE_ACCESS, cognito: [], ses: false },
  mailer: { table: [TABLE_WRITE], cognito: [], ses: true },
  'mail-redrive': {
    // PutItem: the audit event when a queued mail's address was suppressed meanwhile.
    table: [
      { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['byUser'] },
    ],
    cognito: [],
    ses: true,
  },
  // The invite's mark, the tenant's suppression item and their audit events: nothing else.
  'mail-events': {
    table: [
      {
        actions: ['GetItem', 'PutItem', 'UpdateItem'],
        indexes: [],
        partitionPrefixes: [keys.tenantPartition(''), keys.auditPartition('')],
      },
    ],
    cognito: [],
    ses: false,
  },
  // The sign-out stamp `USER#<sub>` / `SESSIONS` (read back when a later one is there), the
  // memberships (that item's set and the byUser index) and the stamp folded into each member
  // item (`TENANT#<t>` / `MEMBER#<sub>`; IAM cannot narrow a grant to sort keys).
  offboarding: {
    table: [
      {
        actions: ['GetItem', 'Query', 'UpdateItem'],
        indexes: ['byUser'],
        partitionPrefixes: [keys.byUserPartition(''), keys.tenantPartition('')],
      },
    ],
    cognito: [],
    ses: false,
  },
};

/** The needs of `name`; throws for a function nobody declared (grant nothing by accident). */
export function functionNeeds(name: string): FunctionNeeds {
  const needs = (FUNCTION_NEEDS as Record<string, FunctionNeeds | undefined>)[name];
  if (!needs) {
    throw new Error(`functions/${name} declares no needs in shared/routes/function-needs.ts`);
  }
  return needs;
}
