/**
 * Writes of items that carry a `version`, bumped by every change: created only where nothing
 * is, replaced or deleted only at the version read, so a concurrent writer re-plans.
 */
import type { DomainError } from '#shared/errors/domain-errors.js';
import type { Condition, Key, TxItem } from '#shared/store/table.js';

/** The item is still at `version` (and, with `also`, that condition holds too). */
export function atVersion(version: number, also?: Omit<Condition, 'else'>): Condition {
  return {
    if: also ? `version = :v AND ${also.if}` : 'version = :v',
    names: also?.names,
    values: { ...also?.values, ':v': version },
  };
}

/** Writes `item`: created (`taken` when something is there) or replacing the version read. */
export function versionedPut(
  item: Record<string, unknown>,
  before: { version: number } | undefined,
  taken?: () => DomainError,
): TxItem {
  return {
    put: item,
    when: before ? atVersion(before.version) : { if: 'attribute_not_exists(pk)', else: taken },
  };
}

/** Deletes the item at `key`, conditioned on the version read. */
export function versionedDelete(key: Key, version: number): TxItem {
  return { delete: key, when: atVersion(version) };
}

/** Bumps the version of the item at `key` (as read, and `also`): a concurrent change re-plans. */
export function versionBump(key: Key, version: number, also?: Omit<Condition, 'else'>): TxItem {
  return {
    update: key,
    set: 'SET version = :next',
    values: { ':next': version + 1 },
    when: atVersion(version, also),
  };
}
