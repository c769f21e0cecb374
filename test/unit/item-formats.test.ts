/**
 * Member item format 3 (direct rules packed into one Binary attribute) and the item-format
 * contract: what a member item costs with many rules, that packing gives back exactly what was
 * packed (order, spelling, the limits), and which formats a reader takes or refuses.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_RESOURCE_DEPTH, MAX_RESOURCE_ID_LENGTH } from '#shared/acl/resource.js';
import { ACTIONS, type Rule } from '#shared/acl/types.js';
import { createPolicyCache, createPrincipalCache } from '#shared/auth/decision-caches.js';
import { grantsOf, principalCacheKey } from '#shared/auth/snapshot-steps.js';
import { itemSizeBytes } from '#shared/limits/item-size.js';
import { DEFAULT_LIMITS } from '#shared/limits/tenant-limits.js';
import {
  ITEM_FORMATS,
  ITEM_KINDS,
  knownFormat,
  UnknownItemFormatError,
} from '#shared/store/records/item-format.js';
import {
  FOLDED_MEMBER_FORMAT,
  MEMBER_FORMAT,
  type MemberRecord,
  memberFromItem,
  memberItem,
} from '#shared/store/records/member-record.js';
import {
  PACKED_RULES_ATTRIBUTE,
  packRules,
  rulesOfItem,
  unpackRules,
} from '#shared/store/records/packed-rules.js';
import { initialPolicy } from '#shared/store/records/policy-record.js';

/** 50 rules on 52-character Marathon service paths: the member item issue 19 found at 4.3 KB. */
const marathonRules = (count: number): Rule[] =>
  Array.from({ length: count }, (_, i) => ({
    resource: `dcos:service:marathon:marathon:services/team-${i % 12}/app-${i}`,
    action: 'read',
  }));

/** A deterministic pseudo-random id of exactly `length` characters and `levels` levels. */
function noisyId(seed: number, length: number, levels: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@';
  let x = seed * 2654435761;
  const chars: string[] = [];
  const every = Math.floor(length / levels);
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const separator = i > 0 && i % every === 0 && i < length - 1 && chars.at(-1) !== ':';
    chars.push(separator ? ':' : (alphabet[x % alphabet.length] ?? 'a'));
  }
  return chars.join('');
}

function member(fields: Partial<MemberRecord> = {}): MemberRecord {
  return {
    tenantId: 'acme-production-cluster-0001',
    userId: '3f2b8c1e-9a4d-4e7b-8c2f-1d5e6a7b8c9d',
    email: 'someone@example.test',
    status: 'active',
    joinedAt: '2026-06-01T12:00:00.000Z',
    groups: ['everyone'],
    roles: [],
    rules: [],
    sessionsValidAfter: 1_780_000_000_000,
    superuser: false,
    version: 7,
    incarnation: 'b5b1c2d3e4f5a6b7',
    format: MEMBER_FORMAT,
    ...fields,
  };
}

describe('packed rules', () => {
  it('gives back the rules exactly, in their order (no sorting, no merging of duplicates)', () => {
    const rules: Rule[] = [
      { resource: 'dcos:service:marathon:marathon:services/prod-eu', action: 'full' },
      { resource: 'dcos:service:marathon:marathon:services/prod', action: 'read' },
      { resource: 'a', action: 'create' },
      { resource: 'dcos:service:marathon:marathon:services/prod', action: 'read' },
      { resource: 'dcos:service:marathon:marathon:services/prod', action: 'delete' },
    ];
    const packed = packRules(rules);
    if (!packed) throw new Error('rules pack to bytes');
    expect(unpackRules(packed)).toEqual(rules);
    expect(unpackRules(packed).map((r) => r.resource)).toEqual(rules.map((r) => r.resource));
  });

  it('writes nothing for no rules, and reads no attribute as the plain list (or none)', () => {
    expect(packRules([])).toBeUndefined();
    expect(rulesOfItem({})).toEqual([]);
    const plain = [{ resource: 'app:x', action: 'read' }];
    expect(rulesOfItem({ rules: plain })).toEqual(plain);
  });

  it('keeps every spelling apart: Unicode forms, case, separators and whitespace', () => {
    const spellings = [
      'caf\u00e9:menu', // é as one code point (NFC)
      'cafe\u0301:menu', // e + combining acute (NFD): looks the same, is another id
      'CAFE:menu',
      'cafe/menu',
      'cafe:menu',
      'cafe:menu ',
      '\u{1F600}:emoji',
    ];
    const rules = spellings.map((resource) => ({ resource, action: 'read' as const }));
    const packed = packRules(rules);
    if (!packed) throw new Error('rules pack to bytes');
    expect(unpackRules(packed).map((r) => r.resource)).toEqual(spellings);
    // One rule at a time: each spelling packs to bytes of its own.
    const each = spellings.map((resource) =>
      Buffer.from(packRules([{ resource, action: 'read' }]) ?? []).toString('base64'),
    );
    expect(new Set(each).size).toBe(spellings.length);
  });

  it('round-trips a principal at the rule limits: 200 rules of 256 characters and 32 levels, every action', () => {
    const rules: Rule[] = Array.from({ length: DEFAULT_LIMITS.rulesPerPrincipal }, (_, i) => ({
      resource: noisyId(i + 1, MAX_RESOURCE_ID_LENGTH, MAX_RESOURCE_DEPTH),
      action: ACTIONS[i % ACTIONS.length] ?? 'read',
    }));
    for (const r of rules) expect(r.resource).toHaveLength(MAX_RESOURCE_ID_LENGTH);
    const item = memberItem(member({ rules }));
    expect(memberFromItem(item).rules).toEqual(rules);
    // Ids that share nothing still pack smaller than the list of maps they replace.
    const packed = item[PACKED_RULES_ATTRIBUTE] as Uint8Array;
    expect(packed.byteLength).toBeLessThan(itemSizeBytes({ rules }));
    expect(itemSizeBytes(item)).toBeLessThan(
      itemSizeBytes(memberItem(member({ rules, format: 1 }))),
    );
  });

  it('keeps 50 rules of 52-character Marathon paths under 3.5 KB, with a long email and many groups', () => {
    const rules = marathonRules(50);
    expect(rules.every((r) => r.resource.length >= 50)).toBe(true);
    const heavy = member({
      rules,
      email: `${'x'.repeat(64)}@${'sub.'.repeat(40)}example.test`,
      groups: Array.from({ length: 20 }, (_, i) => `team-${i}-operators`),
      roles: [
        { roleId: 'marathon-viewer', scope: 'dcos:service:marathon:marathon:services/team-1' },
      ],
    });
    expect(heavy.email.length).toBeGreaterThan(200);
    const bytes = itemSizeBytes(memberItem(heavy));
    expect(bytes).toBeLessThan(3.5 * 1024);
    // The same member as format 2 wrote it (a list of maps) is past 4 KB: 2 read units.
    const { format: _f, ...asBefore } = memberItem({ ...heavy, format: 1 });
    expect(itemSizeBytes({ ...asBefore, format: FOLDED_MEMBER_FORMAT })).toBeGreaterThan(4096);
  });

  it('refuses bytes it did not write (never reads them as no rules)', () => {
    expect(() => unpackRules(new Uint8Array(0))).toThrow();
    expect(() => unpackRules(Uint8Array.from([1, 2, 3, 4]))).toThrow();
    for (const text of ['{"a":1}', '[["x"]]', '[["x","own"]]', '[[1,"read"]]', 'not json']) {
      const bytes = deflateRawSync(Buffer.from(text));
      expect(() => unpackRules(bytes)).toThrow();
      expect(() => rulesOfItem({ [PACKED_RULES_ATTRIBUTE]: bytes })).toThrow();
    }
    expect(() => rulesOfItem({ [PACKED_RULES_ATTRIBUTE]: 'not binary' })).toThrow();
  });
});

describe('member item format 3', () => {
  it('writes a folded member with packed rules and no rule list, and reads it back', () => {
    const rules = marathonRules(3);
    const item = memberItem(member({ rules, format: FOLDED_MEMBER_FORMAT }));
    expect(item.format).toBe(3);
    expect(item).not.toHaveProperty('rules');
    expect(item[PACKED_RULES_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
    expect(memberFromItem(item)).toEqual(member({ rules, format: 3 }));
    // No rules: no attribute at all.
    expect(memberItem(member())).not.toHaveProperty(PACKED_RULES_ATTRIBUTE);
    expect(memberFromItem(memberItem(member())).rules).toEqual([]);
  });

  it('keeps an unfolded member (format 1) as readers of format 1 expect: a rule list, no format', () => {
    const rules = marathonRules(2);
    const item = memberItem(member({ rules, format: undefined }));
    expect(item).not.toHaveProperty('format');
    expect(item).not.toHaveProperty(PACKED_RULES_ATTRIBUTE);
    expect(item.rules).toEqual(rules);
  });

  it('reads a format-2 item as the previous version wrote it (a list of rule maps)', () => {
    const rules = marathonRules(4);
    const { [PACKED_RULES_ATTRIBUTE]: _p, ...item } = memberItem(member());
    const written = { ...item, format: 2, rules };
    expect(memberFromItem(written)).toMatchObject({ rules, format: 2 });
    expect(grantsOf(written).rules).toEqual(rules);
  });
});

describe('the principal cache over packed rules', () => {
  const rules = marathonRules(5);
  const packedItem = memberItem(member({ rules }));
  const plainItem = { groups: packedItem.groups, roles: packedItem.roles, rules };

  it('keys packed and plain spellings apart, and different rules apart, whoever holds them', () => {
    const key = principalCacheKey('t1', 3, true, packedItem);
    expect(principalCacheKey('t1', 3, true, { ...packedItem, userId: 'other' })).toBe(key);
    expect(principalCacheKey('t1', 3, true, plainItem)).not.toBe(key);
    const fewer = memberItem(member({ rules: rules.slice(1) }));
    expect(principalCacheKey('t1', 3, true, fewer)).not.toBe(key);
    const nfc = memberItem(member({ rules: [{ resource: 'caf\u00e9', action: 'read' }] }));
    const nfd = memberItem(member({ rules: [{ resource: 'cafe\u0301', action: 'read' }] }));
    expect(principalCacheKey('t1', 3, true, nfc)).not.toBe(principalCacheKey('t1', 3, true, nfd));
  });

  it('compiles packed rules to the same permissions as the plain list', async () => {
    const policy = await createPolicyCache(async () => initialPolicy())('t1', 1);
    const permissionsOf = createPrincipalCache();
    const fromPacked = permissionsOf('t1', packedItem, policy, true);
    const fromPlain = permissionsOf('t1', plainItem, policy, true);
    expect(fromPacked).not.toBe(fromPlain);
    expect([...fromPacked.masks]).toEqual([...fromPlain.masks]);
  });
});

describe('item formats', () => {
  it('reads an item without a format as format 1, and every format up to the highest known', () => {
    for (const kind of ITEM_KINDS) {
      expect(knownFormat(kind, {})).toBe(1);
      for (let f = 1; f <= ITEM_FORMATS[kind]; f++)
        expect(knownFormat(kind, { format: f })).toBe(f);
    }
    expect(ITEM_FORMATS.member).toBe(MEMBER_FORMAT);
  });

  it('refuses a format above the highest known, and anything that is no format', () => {
    for (const kind of ITEM_KINDS) {
      for (const format of [ITEM_FORMATS[kind] + 1, 99, 0, -1, 1.5, '1', null, Number.NaN]) {
        let refused: unknown;
        try {
          knownFormat(kind, { format });
        } catch (error) {
          refused = error;
        }
        expect(refused).toBeInstanceOf(UnknownItemFormatError);
        expect(refused).toMatchObject({ kind, format });
      }
    }
  });
});
