/**
 * The one definition of Gatehouse's single DynamoDB table: keys, indexes, TTL and stream.
 * The CDK stack and the local stack both build the table from this, so they cannot drift.
 */

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Attribute DynamoDB TTL reads (epoch seconds). Cleanup only: reads check expiry themselves. */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * Global secondary indexes, named after the access pattern they serve.
 * - byUser: the tenants of a user (`USER#<sub>` -> `TENANT#<t>`); also the outbox's due and
 *   dead lists (`OUTBOX#DUE` / `OUTBOX#DEAD` -> `<time>#<pk>`), which no user id can collide with.
 * - byEmail: members and invites of a tenant by email (prefix search, per-email lookups).
 */
export const TABLE_INDEXES = [
  { indexName: 'byUser', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { indexName: 'byEmail', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
] as const;

export type IndexName = (typeof TABLE_INDEXES)[number]['indexName'];

/** CreateTable input for DynamoDB Local, derived from the same constants as the CDK table. */
export function createTableInput(tableName: string) {
  const keyAttrs = [
    TABLE_KEYS.partitionKey,
    TABLE_KEYS.sortKey,
    ...TABLE_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttrs.map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: TABLE_INDEXES.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' as const },
  };
}
