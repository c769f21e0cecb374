/**
 * The table on DynamoDB Local: created from the one table definition (keys, indexes, stream,
 * TTL) when it is missing, so `npm start` and the tests get the table the CDK stack deploys.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, TTL_ATTRIBUTE } from '#shared/store/table-definition.js';

/** Where a local emulator listens: DynamoDB Local takes any credentials. */
export interface LocalEndpoint {
  endpoint: string;
  region: string;
}

/** Client settings for an emulator at `endpoint`. */
export function localClientConfig({ endpoint, region }: LocalEndpoint) {
  return { region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** Creates `tableName` with its TTL when DynamoDB Local does not have it; leaves it alone if it does. */
export async function ensureTable(at: LocalEndpoint, tableName: string): Promise<void> {
  const ddb = new DynamoDBClient(localClientConfig(at));
  try {
    await ddb.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await ddb.send(new CreateTableCommand(createTableInput(tableName)));
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } finally {
    ddb.destroy();
  }
}
