/** What every use case receives: the caller and the shared dependencies. */

import type { Clock } from '#shared/platform/clock.js';
import type { TokenGenerator } from '#shared/platform/secret-tokens.js';
import type { Table } from '#shared/store/table.js';

/**
 * How the caller proved who they are: a Cognito session (a person signed in), a member's
 * personal token (`ghm_`) or a service account's API token (`ghs_`). Minting a credential needs
 * a session (rule 13), and the audit trail records the kind and token id with the actor.
 */
export type CredentialKind = 'session' | 'personal-token' | 'api-token';

/** The authenticated principal, as the authorizer resolved it. */
export interface Caller {
  userId: string;
  email: string;
  /** Cognito `auth_time` (epoch seconds) when the caller signed in with a session token. */
  authTime?: number;
  /** The credential the caller presented; absent only for system callers. */
  credential?: CredentialKind;
  /** The token's id when the credential is an API or personal token. */
  tokenId?: string;
  /** The tenant policy version the authorizer decided under, when it says (tenant routes). */
  policyVersion?: number;
}

/** Storage and platform dependencies shared by the use cases. */
export interface StoreDeps {
  /** The storage port: every service reads and writes through it. */
  table: Table;
  clock: Clock;
  tokens: TokenGenerator;
}
