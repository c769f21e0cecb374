/**
 * The credential behind the change being made, for the audit trail: a person's session, a
 * personal token or a service account's API token, with the token's id. The API handler sets it
 * around each request; every audit event written during that request records it with the actor,
 * so the trail tells a personal token from the session of the same person.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CredentialKind } from '#shared/app/context.js';

export interface RequestCredential {
  credential: CredentialKind;
  tokenId?: string;
}

const current = new AsyncLocalStorage<RequestCredential>();

/** Runs `work` with `credential` as the request's credential (none: runs it as is). */
export function withRequestCredential<T>(
  credential: RequestCredential | undefined,
  work: () => Promise<T>,
): Promise<T> {
  return credential ? current.run(credential, work) : work();
}

/** The credential of the request being served, if any (system work has none). */
export function requestCredential(): RequestCredential | undefined {
  return current.getStore();
}
