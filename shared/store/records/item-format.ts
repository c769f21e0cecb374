/**
 * The contract between versions (issue 16): every item kind the authorizer reads carries a
 * numeric `format` attribute. New fields are additive; a change a reader of the previous format
 * would misread gets a new format number. A reader meeting a format above the highest it knows
 * (or a value that is no format at all) refuses the item: the authorizer then denies with its own
 * reason and counts `UnknownItemFormat` (see docs/data-model.md, "Item formats").
 *
 * Items written before the attribute existed have none: an absent `format` is format 1 for every
 * kind (for the member item, format 1 is the one that does not fold the session stamps).
 * No imports: the authorizer's bundle pulls this module in.
 */

/** The attribute that holds an item's format, the same name on every kind. */
export const FORMAT_ATTRIBUTE = 'format';

/**
 * The highest format of each item kind the authorizer reads that this version knows (and
 * writes). Raise one only with a reader for it; writers of it ship after the readers.
 */
export const ITEM_FORMATS = {
  /** 2: folds the session stamps; 3: direct rules packed (`packedRules`, member-record.ts). */
  member: 3,
  'policy-version': 1,
  policy: 1,
  'api-token': 1,
  'personal-token': 1,
  'service-account': 1,
  'user-sessions': 1,
  'session-floor': 1,
} as const;

export type ItemKind = keyof typeof ITEM_FORMATS;

/** Every item kind, for the `kind` dimension of `UnknownItemFormat` (a small fixed set). */
export const ITEM_KINDS = Object.keys(ITEM_FORMATS) as ItemKind[];

/** The format attribute a new item of `kind` is written with (spread into the item). */
export function formatOf(kind: ItemKind): { format: number } {
  return { format: ITEM_FORMATS[kind] };
}

/** An item of a format this version does not know: never read, never decided on. */
export class UnknownItemFormatError extends Error {
  constructor(
    readonly kind: ItemKind,
    readonly format: unknown,
  ) {
    super(
      `${kind} item has format ${JSON.stringify(format) ?? 'undefined'}; this version reads up to ${ITEM_FORMATS[kind]}`,
    );
    this.name = 'UnknownItemFormatError';
  }
}

/**
 * The format of an item of `kind` (1 when it has none: written before formats existed); throws
 * {@link UnknownItemFormatError} for anything else than a whole number from 1 to the highest
 * this version knows.
 */
export function knownFormat(kind: ItemKind, item: Record<string, unknown>): number {
  const raw = item[FORMAT_ATTRIBUTE];
  if (raw === undefined) return 1;
  const format = typeof raw === 'number' ? raw : Number.NaN;
  if (!Number.isInteger(format) || format < 1 || format > ITEM_FORMATS[kind]) {
    throw new UnknownItemFormatError(kind, raw);
  }
  return format;
}
