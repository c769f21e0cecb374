/**
 * Direct rules packed into one Binary attribute (member item format 3): the rules as a JSON list
 * of `[resource, action]` pairs, in their order, compressed with raw DEFLATE (node:zlib).
 * DynamoDB bills a read by the whole item's size, and a list of rule maps costs about 25 bytes of
 * names and markers per rule on top of the resource id; resource ids of one member share long
 * prefixes (`dcos:service:marathon:marathon:services/team-a/...`), which DEFLATE's back-references
 * take out: 50 rules of 52-character Marathon paths pack into about 300 bytes instead of 3.8 KB.
 * See docs/data-model.md ("Item formats").
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ACTIONS, type Action, type Rule } from '#shared/acl/types.js';

/** The attribute of a member item (format 3) holding its packed direct rules. */
export const PACKED_RULES_ATTRIBUTE = 'packedRules';

/**
 * Most bytes unpacking may produce: far above any principal's rules (an operator-raised limit
 * of thousands of 256-character rules), far below what would hurt a Lambda's memory.
 */
const MAX_UNPACKED_BYTES = 8 * 1024 * 1024;

const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);

/** `rules` packed, in their order; undefined for none (the item then carries no attribute). */
export function packRules(rules: readonly Rule[]): Uint8Array | undefined {
  if (rules.length === 0) return undefined;
  const pairs = rules.map((r) => [r.resource, r.action]);
  return deflateRawSync(Buffer.from(JSON.stringify(pairs), 'utf8'));
}

/** The rules of {@link packRules}' output; throws on anything it did not write. */
export function unpackRules(packed: Uint8Array): Rule[] {
  const pairs: unknown = JSON.parse(
    inflateRawSync(packed, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8'),
  );
  if (!Array.isArray(pairs)) throw new Error('packed rules are not a list');
  return pairs.map((pair: unknown) => {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string' ||
      !ACTION_SET.has(pair[1])
    ) {
      throw new Error('packed rules hold something that is not a rule');
    }
    return { resource: pair[0], action: pair[1] as Action };
  });
}

/**
 * A principal item's direct rules: unpacked from {@link PACKED_RULES_ATTRIBUTE} when it has it
 * (member format 3), else its plain `rules` list (earlier member formats, service accounts).
 */
export function rulesOfItem(item: Record<string, unknown>): Rule[] {
  const packed = item[PACKED_RULES_ATTRIBUTE];
  if (packed instanceof Uint8Array) return unpackRules(packed);
  if (packed !== undefined) throw new Error('packed rules are not binary');
  return (item.rules as Rule[] | undefined) ?? [];
}
