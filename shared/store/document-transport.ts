/**
 * What the storage port (shared/store/table.ts) sends DynamoDB through: an operation's name and
 * its document-shaped input (plain values, not attribute-value maps), answered with its
 * document-shaped output. Two transports stand behind it:
 * - `sdkTransport` (shared/store/dynamo-client.ts): the AWS SDK's document client, for every
 *   function but the authorizer;
 * - `createHttpTransport` (shared/store/signed-http-transport.ts): signed JSON requests over
 *   `node:https` for the authorizer, which reads on every protected request and whose bundle and
 *   cold start the SDK's client would more than double (README, performance).
 * Types only: importing this module loads no SDK.
 */
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/** Each operation the port sends, by its DynamoDB API name: [input, output]. */
export interface DocumentOperations {
  GetItem: [GetCommandInput, GetCommandOutput];
  BatchGetItem: [BatchGetCommandInput, BatchGetCommandOutput];
  PutItem: [PutCommandInput, PutCommandOutput];
  UpdateItem: [UpdateCommandInput, UpdateCommandOutput];
  DeleteItem: [DeleteCommandInput, DeleteCommandOutput];
  Query: [QueryCommandInput, QueryCommandOutput];
  Scan: [ScanCommandInput, ScanCommandOutput];
  TransactWriteItems: [TransactWriteCommandInput, TransactWriteCommandOutput];
}

export type DocumentOperation = keyof DocumentOperations;

/** Sends one DynamoDB operation. Errors carry DynamoDB's exception name as `name`. */
export interface DocumentTransport {
  // Not `send`: the SDK's client has a `send` that the compiler would accept in its place.
  call<O extends DocumentOperation>(
    operation: O,
    input: DocumentOperations[O][0],
  ): Promise<DocumentOperations[O][1]>;
}
