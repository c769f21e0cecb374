/** The storage port's own types: keys, items, conditions that carry their error, queries. */
import type { DomainError } from '#shared/errors/domain-errors.js';
import type { IndexName } from '#shared/store/table-definition.js';

/** An item's primary key. */
export interface Key {
  pk: string;
  sk: string;
  [attribute: string]: unknown;
}

export type Item = Record<string, unknown>;

/** Names and values of a condition, update or filter expression. */
export interface Expression {
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** A condition and the domain error raised when it does not hold. */
export interface Condition extends Expression {
  if: string;
  /** The error this condition raises; without it a failed condition is a lost race (retryable). */
  else?: () => DomainError;
}

/** One write of a transaction: put, update, delete or condition check, each with its own error. */
export type TxItem =
  | { put: Item; when?: Condition }
  | {
      update: Key;
      set: string;
      names?: Record<string, string>;
      values?: Record<string, unknown>;
      when?: Condition;
    }
  | { delete: Key; when?: Condition }
  | { check: Key; when: Condition };

export interface GetOptions {
  /** Strongly consistent (default true: reads that decide writes or access must see the last write). */
  consistent?: boolean;
  /** Only these attributes (top-level names). */
  attributes?: readonly string[];
}

export interface QueryOptions {
  /** The partition key's value (of the table or of `index`). */
  partition: string;
  index?: IndexName;
  /** Only sort keys beginning with this. */
  prefix?: string;
  /** Sort keys in this inclusive range (instead of `prefix`). */
  between?: [string, string];
  /** Sort keys at or after / at or before this. */
  from?: string;
  to?: string;
  filter?: { if: string } & Expression;
  attributes?: readonly string[];
  limit?: number;
  startKey?: Record<string, unknown>;
  /** Descending sort-key order. */
  newestFirst?: boolean;
  consistent?: boolean;
}

export interface QueryPage {
  items: Item[];
  lastKey?: Record<string, unknown>;
  /** How many items matched (what `count` adds up). */
  count?: number;
}
