/**
 * Incarnations (rule 11): a principal deleted and created again is a new principal. Members and
 * service accounts carry a random id set when they are created and never changed; tokens record
 * the incarnation they were minted for, and the authorizer compares the two, so nothing of an
 * earlier life (token, grant, cache entry) applies to a later one with the same id.
 */
import { randomUUID } from 'node:crypto';

/** A fresh incarnation id: 122 random bits, never reused. */
export function newIncarnation(): string {
  return randomUUID();
}

/** The incarnation of a member or service-account item ('' for items older than incarnations). */
export function incarnationOf(item: Record<string, unknown>): string {
  return typeof item.incarnation === 'string' ? item.incarnation : '';
}
