/**
 * The API token strings, minted, parsed and verified (pure):
 * - service accounts: `ghs_<serviceAccountId>.<tokenId>.<minterUserId>_<secret>` (the member who
 *   minted it: the token dies with that membership and its sessions, rule 13);
 * - members' personal tokens: `ghm_<userId>.<tokenId>_<secret>` (bound to one tenant).
 * The string carries the owner and token ids so the authorizer can read both in one request.
 */
import { timingSafeEqual } from 'node:crypto';
import { hashSecret } from '#shared/platform/secret-tokens.js';

/** The recognisable prefix of service-account tokens, so secret scanners can find leaked ones. */
export const API_TOKEN_PREFIX = 'ghs_';
/** The recognisable prefix of members' personal tokens. */
export const PERSONAL_TOKEN_PREFIX = 'ghm_';

// Token ids are 26-char ULIDs, secrets 32 bytes base64url (43 chars).
const TAIL = '\\.([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$';
// Account ids are IdSchema slugs (no `.`).
// The minter is a Cognito sub (UUID; no `.` or `_`). Tokens minted before minters were recorded
// lack it: they parse, and the authorizer refuses them (they may have been bred by a token).
const SERVICE_ACCOUNT_PATTERN =
  /^ghs_([a-z0-9][a-z0-9_-]{0,63})\.([0-9A-HJKMNP-TV-Z]{26})(?:\.([A-Za-z0-9-]{1,64}))?_([A-Za-z0-9_-]{43})$/;
// User ids are Cognito subs (UUIDs; no `.`).
const PERSONAL_PATTERN = new RegExp(`^ghm_([A-Za-z0-9-]{1,64})${TAIL}`);

export interface ParsedApiToken {
  serviceAccountId: string;
  tokenId: string;
  /** The userId of the member who minted it ('' for tokens minted before this was recorded). */
  mintedBy: string;
  secret: string;
}

export interface ParsedPersonalToken {
  userId: string;
  tokenId: string;
  secret: string;
}

/** Whether a bearer credential claims to be a Gatehouse API token (as opposed to a Cognito JWT). */
export function looksLikeApiToken(bearer: string): boolean {
  return bearer.startsWith(API_TOKEN_PREFIX) || bearer.startsWith(PERSONAL_TOKEN_PREFIX);
}

/** Whether a bearer credential claims to be a member's personal token. */
export function looksLikePersonalToken(bearer: string): boolean {
  return bearer.startsWith(PERSONAL_TOKEN_PREFIX);
}

/** The service-account token string handed to the client once. */
export function formatApiToken(t: ParsedApiToken): string {
  const minter = t.mintedBy ? `.${t.mintedBy}` : '';
  return `${API_TOKEN_PREFIX}${t.serviceAccountId}.${t.tokenId}${minter}_${t.secret}`;
}

/** The personal token string handed to the member once. */
export function formatPersonalToken(t: ParsedPersonalToken): string {
  return `${PERSONAL_TOKEN_PREFIX}${t.userId}.${t.tokenId}_${t.secret}`;
}

/** Splits a service-account token string into its ids and secret; undefined when malformed. */
export function parseApiToken(token: string): ParsedApiToken | undefined {
  const m = SERVICE_ACCOUNT_PATTERN.exec(token);
  if (!m?.[1] || !m[2] || !m[4]) return undefined;
  return { serviceAccountId: m[1], tokenId: m[2], mintedBy: m[3] ?? '', secret: m[4] };
}

/** Splits a personal token string into its ids and secret; undefined when malformed. */
export function parsePersonalToken(token: string): ParsedPersonalToken | undefined {
  const m = PERSONAL_PATTERN.exec(token);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { userId: m[1], tokenId: m[2], secret: m[3] };
}

/** Compares a presented secret with a stored SHA-256 hex hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
