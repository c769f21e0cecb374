/**
 * What the authorizer may do with Gatehouse's table, as data and as IAM statements. Gatehouse's
 * own stack grants its internal authorizer the same list (shared/routes/function-needs.ts
 * imports it from here), so the two never drift.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';

/** DynamoDB data-plane actions a grant may name. */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'ConditionCheckItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem';

/** One grant on the Gatehouse table, with the index names it covers spelled out. */
export interface TableAccess {
  readonly actions: readonly TableAction[];
  readonly indexes: readonly string[];
  /** Only items whose partition key starts with one of these (IAM `dynamodb:LeadingKeys`). */
  readonly partitionPrefixes?: readonly string[];
  /** Only these top-level attributes, keys included (IAM `dynamodb:Attributes`). */
  readonly attributes?: readonly string[];
}

/** The table's global secondary indexes (a Gatehouse test keeps these equal to the table's). */
export const GATEHOUSE_INDEX_NAMES = ['byUser', 'byEmail'] as const;

/** The partition key prefix of a tenant's items (`TENANT#<tenantId>`). */
export const TENANT_PARTITION_PREFIX = 'TENANT#';

/**
 * The authorizer's reads (member snapshot, tenant policy, API tokens: items by key, never a
 * Query or an index, which its transport cannot send), and its one write: an API token's
 * `lastUsedAt` (`SET lastUsedAt = :now` conditioned on `pk` and `lastUsedAt`). Token items live
 * in the tenant partition and IAM can only match the partition key, so the attribute list is
 * what keeps that grant from touching anything but `lastUsedAt`.
 */
export const AUTHORIZER_TABLE_ACCESS: readonly TableAccess[] = [
  { actions: ['GetItem', 'BatchGetItem'], indexes: [] },
  {
    actions: ['UpdateItem'],
    indexes: [],
    partitionPrefixes: [TENANT_PARTITION_PREFIX],
    attributes: ['pk', 'sk', 'lastUsedAt'],
  },
];

/** ReturnValues that return only the attributes a request updated (AWS's attribute-level example). */
const ATTRIBUTE_RETURN_VALUES = ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'];

/** The IAM statement of one grant: its actions on the table and the indexes it names. */
export function tableAccessStatement(tableArn: string, grant: TableAccess): PolicyStatement {
  const conditions: Record<string, Record<string, unknown>> = {};
  if (grant.partitionPrefixes) {
    conditions['ForAllValues:StringLike'] = {
      'dynamodb:LeadingKeys': grant.partitionPrefixes.map((prefix) => `${prefix}*`),
    };
  }
  if (grant.attributes) {
    conditions['ForAllValues:StringEquals'] = { 'dynamodb:Attributes': [...grant.attributes] };
    // Without these a request could read back (ALL_OLD, ALL_NEW, ALL_ATTRIBUTES) what it may not write.
    conditions.StringEqualsIfExists = {
      'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
      'dynamodb:ReturnValues': ATTRIBUTE_RETURN_VALUES,
    };
  }
  return new PolicyStatement({
    actions: grant.actions.map((action) => `dynamodb:${action}`),
    resources: [tableArn, ...grant.indexes.map((name) => `${tableArn}/index/${name}`)],
    ...(Object.keys(conditions).length ? { conditions } : {}),
  });
}
