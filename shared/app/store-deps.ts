/** Builds the storage and platform dependencies the use cases receive, around one table. */
import type { StoreDeps } from '#shared/app/context.js';
import { type Clock, systemClock } from '#shared/platform/clock.js';
import { randomTokens, type TokenGenerator } from '#shared/platform/secret-tokens.js';
import { type DocumentClient, sdkTransport } from '#shared/store/dynamo-client.js';
import { createTable } from '#shared/store/table.js';

/**
 * The use cases' dependencies plus the client behind the port, for wiring only: the authorizer's
 * reader, operators' scripts, and the tests and benchmarks that count or inspect requests.
 * Services receive {@link StoreDeps}, which has no client.
 */
export interface WiredStoreDeps extends StoreDeps {
  db: DocumentClient;
  tableName: string;
}

export function createStoreDeps(
  db: DocumentClient,
  tableName: string,
  options: { clock?: Clock; tokens?: TokenGenerator } = {},
): WiredStoreDeps {
  return {
    db,
    tableName,
    table: createTable(sdkTransport(db), tableName),
    clock: options.clock ?? systemClock,
    tokens: options.tokens ?? randomTokens,
  };
}
