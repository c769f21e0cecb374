/**
 * Local convenience for operator scripts: without DYNAMODB_ENDPOINT, point the process at the
 * table of the running `npm start` stack described by `stackFile` (if there is one). Against a
 * deployed stage, set TABLE_NAME and AWS_REGION (and credentials) instead.
 */
import { existsSync, readFileSync } from 'node:fs';

export function useLocalStackTable(stackFile: string | undefined): void {
  if (process.env.DYNAMODB_ENDPOINT || !stackFile || !existsSync(stackFile)) return;
  const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as {
    dynamodb: { endpoint: string; region: string; tableName: string };
  };
  process.env.DYNAMODB_ENDPOINT = stack.dynamodb.endpoint;
  process.env.AWS_REGION = stack.dynamodb.region;
  process.env.TABLE_NAME = stack.dynamodb.tableName;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}
