/** The API token string: `ghs_<serviceAccountId>.<tokenId>_<secret>`, minted, parsed and verified (pure). */
import { timingSafeEqual } from 'node:crypto';
import { hashSecret } from '#shared/platform/secret-tokens.js';

/** The recognisable prefix that lets secret scanners find leaked tokens. */
export const API_TOKEN_PREFIX = 'ghs_';

// Account ids are IdSchema slugs (no `.`), token ids are 26-char ULIDs, secrets 32 bytes base64url.
const TOKEN_PATTERN =
  /^ghs_([a-z0-9][a-z0-9_-]{0,63})\.([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiToken {
  serviceAccountId: string;
  tokenId: string;
  secret: string;
}

/** Whether a bearer credential claims to be an API token (as opposed to a Cognito JWT). */
export function looksLikeApiToken(bearer: string): boolean {
  return bearer.startsWith(API_TOKEN_PREFIX);
}

/** The token string handed to the client once. */
export function formatApiToken(t: ParsedApiToken): string {
  return `${API_TOKEN_PREFIX}${t.serviceAccountId}.${t.tokenId}_${t.secret}`;
}

/** Splits a token string into its ids and secret; undefined when malformed. */
export function parseApiToken(token: string): ParsedApiToken | undefined {
  const m = TOKEN_PATTERN.exec(token);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { serviceAccountId: m[1], tokenId: m[2], secret: m[3] };
}

/** Compares a presented secret with a stored SHA-256 hex hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
