/** Turns a function's declared needs (shared/routes/function-needs.ts) into exactly those IAM grants. */
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { tableAccessStatement } from '#authorizer/table-access.js';
import type { ApiFunction } from '#infra/constructs/api-function.js';
import type { FunctionNeeds, TableGrant } from '#shared/routes/function-needs.js';
import { TABLE_INDEXES } from '#shared/store/table-definition.js';

/** What the grants point at; a need whose target is missing is a wiring error. */
export interface GrantTargets {
  readonly table?: ITable;
  readonly userPool?: IUserPool;
  /** ARN of the SES identity mail is sent through. */
  readonly sesIdentityArn?: string;
}

/** The IAM statement of one table grant: its actions on the table and the indexes it names. */
export function tableStatement(table: ITable, grant: TableGrant): PolicyStatement {
  const indexes =
    grant.indexes === 'all' ? TABLE_INDEXES.map((index) => index.indexName) : grant.indexes;
  return tableAccessStatement(table.tableArn, { ...grant, indexes });
}

/** Grants `fn` exactly `needs`, and sets TABLE_NAME when it has any table grant. */
export function grantNeeds(fn: ApiFunction, needs: FunctionNeeds, targets: GrantTargets): void {
  const name = fn.node.path;
  if (needs.table.length) {
    const { table } = targets;
    if (!table) throw new Error(`${name} needs the table, and none was given`);
    fn.fn.addEnvironment('TABLE_NAME', table.tableName);
    for (const grant of needs.table) fn.addToRolePolicy(tableStatement(table, grant));
  }
  if (needs.cognito.length) {
    const { userPool } = targets;
    if (!userPool) throw new Error(`${name} needs the user pool, and none was given`);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: needs.cognito.map((action) => `cognito-idp:${action}`),
        resources: [userPool.userPoolArn],
      }),
    );
  }
  if (needs.ses) {
    const { sesIdentityArn } = targets;
    if (!sesIdentityArn) throw new Error(`${name} sends mail, and no SES identity was given`);
    fn.addToRolePolicy(sendMailStatement(sesIdentityArn));
  }
}

/** SES sending through one identity: SendEmail only (the SES adapter sends no raw mail). */
export function sendMailStatement(sesIdentityArn: string): PolicyStatement {
  return new PolicyStatement({ actions: ['ses:SendEmail'], resources: [sesIdentityArn] });
}
