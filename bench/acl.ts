/** ACL benchmark: the Gatehouse engine against casbin, Cedar and a bare map-lookup floor on the same seeded data. */

import { setFlagsFromString } from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { newEnforcer, newModelFromString } from 'casbin';
import {
  compilePolicy,
  compilePrincipal,
  effectiveRules,
  isAllowed,
  type PermissionSet,
} from '#shared/acl/engine.js';
import {
  type Action,
  EVERYONE_GROUP,
  type PrincipalGrants,
  type RoleBinding,
  type Rule,
  SUPERUSER_RESOURCE,
  SUPERUSERS_GROUP,
  type TenantPolicy,
} from '#shared/acl/types.js';

/** One engine's measurements on the shared data. */
export interface EngineResult {
  /** Decisions per second on one core. */
  checksPerSec: number;
  /** Median latency of one decision, microseconds (timer overhead subtracted). */
  p50us: number;
  /** 99th percentile latency of one decision, microseconds. */
  p99us: number;
  /** Time to load the data into the engine (including per-user caches), milliseconds. */
  buildMs: number;
  /** Heap (JS heap plus external/WASM memory) growth from the build, megabytes. */
  heapMb: number;
  /** How many decisions the latency figures come from. */
  checksTimed: number;
  /** Decisions checked against the reference model before timing (all agreed). */
  agreed: number;
  /** Policy lines or rules this engine was loaded with. */
  rules: number;
  note?: string;
}

/** What {@link benchAcl} returns. */
export interface AclBenchResult {
  rules: number;
  users: number;
  groups: number;
  queries: number;
  /** Share of the generated queries the reference model allows. */
  allowRate: number;
  /** Decisions checked against the reference before timing (fewer for the slowest peers). */
  agreementSample: number;
  engines: {
    gatehouse: EngineResult;
    /** One principal holding about all the rules of the tenant. */
    gatehouseHeavy: EngineResult;
    casbin: EngineResult;
    cedar: EngineResult;
    cedarPerRule?: EngineResult;
    floor: EngineResult;
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic data
// ---------------------------------------------------------------------------------------------

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`index ${index} out of range (${items.length})`);
  return item;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return at(items, Math.floor(rng() * items.length));
}

function weighted<T>(rng: Rng, choices: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of choices) total += w;
  let r = rng() * total;
  for (const [value, w] of choices) {
    r -= w;
    if (r < 0) return value;
  }
  return at(choices, choices.length - 1)[0];
}

const RULE_ACTIONS: readonly (readonly [Action, number])[] = [
  ['read', 40],
  ['full', 20],
  ['create', 10],
  ['update', 15],
  ['delete', 15],
];
const QUERY_ACTIONS: readonly (readonly [Action, number])[] = [
  ['read', 35],
  ['full', 20],
  ['create', 15],
  ['update', 15],
  ['delete', 15],
];
const ROOTS = ['dcos', 'app', 'infra', 'data', 'org'];
const NAMES = [
  'prod',
  'prod-eu',
  'prod-us',
  'prod2',
  'staging',
  'dev',
  'web',
  'web-1',
  'api',
  'api-v2',
  'db',
  'cache',
  'frontend',
  'backend',
  'payments',
  'users',
  'orders',
  'logs',
  'metrics',
  'service',
  'marathon',
  'services',
  'team-a',
  'team-b',
  'eu',
  'us',
];
const TRAP_NAMES = new Set(['prod', 'web', 'api', 'payments']);

/** The resource tree: ids, depth and children (by index). */
interface Tree {
  ids: string[];
  depth: number[];
  children: number[][];
}

function buildTree(rng: Rng, size: number): Tree {
  const tree: Tree = { ids: [], depth: [], children: [] };
  const seen = new Set<string>();
  const add = (id: string, depth: number, parent: number | undefined): void => {
    if (seen.has(id)) return;
    seen.add(id);
    tree.ids.push(id);
    tree.depth.push(depth);
    tree.children.push([]);
    if (parent !== undefined) at(tree.children, parent).push(tree.ids.length - 1);
  };
  for (const root of ROOTS) add(root, 1, undefined);
  let guard = 0;
  while (tree.ids.length < size && guard++ < size * 20) {
    const parent = Math.floor(rng() * tree.ids.length);
    const depth = at(tree.depth, parent);
    if (depth >= 8) continue;
    const sep = depth <= 2 ? ':' : rng() < 0.8 ? '/' : ':';
    const base = pick(rng, NAMES);
    const name = rng() < 0.7 ? base : `${base}${Math.floor(rng() * 50)}`;
    const parentId = at(tree.ids, parent);
    add(`${parentId}${sep}${name}`, depth + 1, parent);
    // Sibling-prefix traps: `prod` next to `prod-eu`, `web` next to `web-eu`.
    if (TRAP_NAMES.has(name) && rng() < 0.5) add(`${parentId}${sep}${name}-eu`, depth + 1, parent);
  }
  return tree;
}

/** A node at or below `anchor`, walking down 0..3 random levels. */
function nodeUnder(rng: Rng, tree: Tree, anchor: number): number {
  let node = anchor;
  const steps = Math.floor(rng() * 4);
  for (let i = 0; i < steps; i++) {
    const kids = at(tree.children, node);
    if (kids.length === 0) break;
    node = pick(rng, kids);
  }
  return node;
}

function randomNode(rng: Rng, tree: Tree, minDepth: number, maxDepth: number): number {
  for (let i = 0; i < 1000; i++) {
    const node = Math.floor(rng() * tree.ids.length);
    const d = at(tree.depth, node);
    if (d >= minDepth && d <= maxDepth) return node;
  }
  return 0;
}

interface BenchUser {
  id: string;
  grants: PrincipalGrants;
}

interface BenchData {
  policy: TenantPolicy;
  users: BenchUser[];
  tree: Tree;
  ruleCount: number;
  groupCount: number;
}

interface Sizes {
  users: number;
  groups: number;
  rules: number;
  treeNodes: number;
}

function generateData(seed: number, sizes: Sizes): BenchData {
  const rng = mulberry32(seed);
  const tree = buildTree(rng, sizes.treeNodes);
  const ruleNear = (anchor: number): Rule => ({
    resource:
      rng() < 0.7
        ? at(tree.ids, nodeUnder(rng, tree, anchor))
        : at(tree.ids, randomNode(rng, tree, 2, 8)),
    action: weighted(rng, RULE_ACTIONS),
  });

  const roleRuleCount = Math.max(6, Math.round(sizes.rules * 0.005));
  const everyoneRules = 5;
  const superuserRules = 3;
  const userRuleCount = Math.round(sizes.rules * 0.44);
  const groupRuleCount =
    sizes.rules - roleRuleCount - everyoneRules - superuserRules - userRuleCount;

  const roleIds = ['viewer', 'operator', 'deployer', 'auditor', 'support', 'billing'];
  const roles: Record<string, Rule[]> = {};
  for (const id of roleIds) roles[id] = [];
  for (let i = 0; i < roleRuleCount; i++) {
    at(Object.values(roles), i % roleIds.length).push({
      resource: at(tree.ids, randomNode(rng, tree, 2, 4)),
      action: weighted(rng, RULE_ACTIONS),
    });
  }
  const randomBinding = (): RoleBinding => {
    const roleId = pick(rng, roleIds);
    return rng() < 0.5 ? { roleId } : { roleId, scope: at(tree.ids, randomNode(rng, tree, 1, 3)) };
  };

  const groups: TenantPolicy['groups'] = {};
  const groupIds: string[] = [];
  const groupAnchors: number[] = [];
  for (let g = 0; g < sizes.groups; g++) {
    const id = `g${g}`;
    groupIds.push(id);
    groupAnchors.push(randomNode(rng, tree, 1, 4));
    groups[id] = { rules: [], roles: rng() < 0.15 ? [randomBinding()] : [] };
  }
  for (let i = 0; i < groupRuleCount; i++) {
    const g = Math.floor(rng() * sizes.groups);
    groups[at(groupIds, g)]?.rules.push(ruleNear(at(groupAnchors, g)));
  }
  const everyone: Rule[] = [];
  for (let i = 0; i < everyoneRules; i++) {
    everyone.push({ resource: at(tree.ids, randomNode(rng, tree, 4, 8)), action: 'read' });
  }
  groups[EVERYONE_GROUP] = { rules: everyone, roles: [] };
  groups[SUPERUSERS_GROUP] = {
    rules: [{ resource: SUPERUSER_RESOURCE, action: 'full' }],
    roles: [],
  };

  const users: BenchUser[] = [];
  const userAnchors: number[] = [];
  for (let u = 0; u < sizes.users; u++) {
    const memberships = new Set<string>();
    const count = 1 + Math.floor(rng() * 6);
    // Skewed: low-numbered groups are big, as in real tenants.
    for (let k = 0; k < count; k++) {
      memberships.add(at(groupIds, Math.floor(sizes.groups * rng() ** 2)));
    }
    if (u < 3) memberships.add(SUPERUSERS_GROUP);
    users.push({
      id: `u${u}`,
      grants: {
        groups: [...memberships],
        roles: rng() < 0.1 ? [randomBinding()] : [],
        rules: u >= 3 && u < 5 ? [{ resource: SUPERUSER_RESOURCE, action: 'full' }] : [],
      },
    });
    userAnchors.push(randomNode(rng, tree, 2, 5));
  }
  for (let i = 0; i < userRuleCount; i++) {
    const u = Math.floor(rng() * sizes.users);
    at(users, u).grants.rules.push(ruleNear(at(userAnchors, u)));
  }

  const policy: TenantPolicy = { version: 1, roles, groups, namespaces: {} };
  return { policy, users, tree, ruleCount: sizes.rules, groupCount: sizes.groups + 2 };
}

// ---------------------------------------------------------------------------------------------
// The reference model and flattened grants shared by the peers (roles expanded per grantee)
// ---------------------------------------------------------------------------------------------

function refCovers(rule: string, query: string): boolean {
  return query === rule || query.startsWith(`${rule}:`) || query.startsWith(`${rule}/`);
}

function expandBinding(policy: TenantPolicy, binding: RoleBinding): Rule[] {
  const rules = Object.hasOwn(policy.roles, binding.roleId) ? policy.roles[binding.roleId] : [];
  const out: Rule[] = [];
  for (const r of rules ?? []) {
    if (binding.scope === undefined) out.push(r);
    else if (refCovers(r.resource, binding.scope)) {
      out.push({ resource: binding.scope, action: r.action });
    } else if (refCovers(binding.scope, r.resource)) out.push(r);
  }
  return out;
}

function dedupeRules(rules: Iterable<Rule>): Rule[] {
  const seen = new Set<string>();
  const out: Rule[] = [];
  for (const r of rules) {
    const key = `${r.action} ${r.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** Every grantee's rules with role bindings expanded: what casbin and Cedar are loaded with. */
interface Flattened {
  groups: Map<string, Rule[]>;
  users: Map<string, Rule[]>;
  /** Each user's groups, `everyone` included. */
  memberships: Map<string, string[]>;
}

function flatten(data: BenchData): Flattened {
  const groups = new Map<string, Rule[]>();
  for (const [id, g] of Object.entries(data.policy.groups)) {
    groups.set(
      id,
      dedupeRules([...g.rules, ...g.roles.flatMap((b) => expandBinding(data.policy, b))]),
    );
  }
  const users = new Map<string, Rule[]>();
  const memberships = new Map<string, string[]>();
  for (const u of data.users) {
    users.set(
      u.id,
      dedupeRules([
        ...u.grants.rules,
        ...u.grants.roles.flatMap((b) => expandBinding(data.policy, b)),
      ]),
    );
    memberships.set(u.id, [...new Set([...u.grants.groups, EVERYONE_GROUP])]);
  }
  return { groups, users, memberships };
}

function referenceRules(flat: Flattened, userId: string): Rule[] {
  const out = [...(flat.users.get(userId) ?? [])];
  for (const g of flat.memberships.get(userId) ?? []) out.push(...(flat.groups.get(g) ?? []));
  return out;
}

function referenceAllowed(rules: readonly Rule[], resource: string, action: Action): boolean {
  for (const r of rules) {
    if (r.action === 'full' && refCovers(r.resource, SUPERUSER_RESOURCE)) return true;
  }
  for (const r of rules) {
    if ((r.action === action || r.action === 'full') && refCovers(r.resource, resource)) {
      return true;
    }
  }
  return false;
}

/** `count` distinct create/update rules: every tree node, then synthetic children of each. */
function heavyRules(tree: Tree, count: number): Rule[] {
  const rules: Rule[] = [];
  for (let k = 0; rules.length < count; k++) {
    const node = at(tree.ids, k % tree.ids.length);
    const round = Math.floor(k / tree.ids.length);
    rules.push({
      resource: round === 0 ? node : `${node}/h${round}`,
      action: k % 2 === 0 ? 'create' : 'update',
    });
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Queries: mostly near the user's own grants (ancestors, descendants, prefix traps)
// ---------------------------------------------------------------------------------------------

interface Query {
  user: string;
  resource: string;
  action: Action;
}

function mutateResource(rng: Rng, tree: Tree, base: string): string {
  const move = weighted(rng, [
    ['same', 20],
    ['descendant', 25],
    ['ancestor', 15],
    ['trap', 15],
    ['random', 15],
    ['deep', 10],
  ] as const);
  switch (move) {
    case 'same':
      return base;
    case 'descendant':
    case 'deep': {
      let out = base;
      const levels = move === 'deep' ? 3 + Math.floor(rng() * 4) : 1 + Math.floor(rng() * 2);
      for (let i = 0; i < levels; i++) out += (rng() < 0.7 ? '/' : ':') + pick(rng, NAMES);
      return out;
    }
    case 'ancestor': {
      const cuts: number[] = [];
      for (let i = 0; i < base.length; i++) if (base[i] === ':' || base[i] === '/') cuts.push(i);
      return cuts.length === 0 ? base : base.slice(0, pick(rng, cuts));
    }
    case 'trap':
      return `${base}${pick(rng, ['-eu', '2', '-us', 'x'])}${rng() < 0.5 ? '/web' : ''}`;
    case 'random':
      return pick(rng, tree.ids);
  }
}

function generateQueries(rng: Rng, data: BenchData, flat: Flattened, count: number): Query[] {
  const queries: Query[] = [];
  for (let i = 0; i < count; i++) {
    // A few superusers first so that the agreement sample always covers them.
    const user = i < 5 ? at(data.users, i) : pick(rng, data.users);
    const candidates = flat.users.get(user.id) ?? [];
    const groups = flat.memberships.get(user.id) ?? [];
    let base: string;
    if (candidates.length > 0 && rng() < 0.4) base = pick(rng, candidates).resource;
    else {
      const groupRules = flat.groups.get(pick(rng, groups)) ?? [];
      base = groupRules.length > 0 ? pick(rng, groupRules).resource : pick(rng, data.tree.ids);
    }
    queries.push({
      user: user.id,
      resource: mutateResource(rng, data.tree, base),
      action: weighted(rng, QUERY_ACTIONS),
    });
  }
  return queries;
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

/** A full collection when the process runs with `--expose-gc` (acl-main re-executes itself so). */
function loadGc(): () => void {
  const gc: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') return () => {};
  return () => {
    gc();
    gc();
  };
}

const gc = loadGc();

// Node 20's TurboFan can crash (V8_Fatal in the deoptimizer) on a lazy deopt of JS code that
// inlined a call into Cedar's WASM after a full GC; not inlining JS->WASM calls avoids it.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

function memoryBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function measureBuild<T>(build: () => T | Promise<T>): Promise<{
  value: T;
  buildMs: number;
  heapMb: number;
}> {
  gc();
  const before = memoryBytes();
  const start = process.hrtime.bigint();
  const value = await build();
  const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const heapMb = Math.max(0, memoryBytes() - before) / 1024 / 1024;
  return { value, buildMs, heapMb };
}

function timerOverheadNs(): number {
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const a = process.hrtime.bigint();
    const b = process.hrtime.bigint();
    samples.push(Number(b - a));
  }
  samples.sort((x, y) => x - y);
  return at(samples, samples.length >> 1);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.floor(p * sorted.length));
  return sorted[index] ?? 0;
}

interface Timing {
  checksPerSec: number;
  p50us: number;
  p99us: number;
  checksTimed: number;
}

let sink = 0;

/**
 * Times `check(i)`: warm-up, then a throughput loop (when `throughputChecks` > 0), then each
 * of `latencyChecks` decisions on its own with the timer overhead subtracted. Without a
 * throughput loop the rate is derived from the individual timings (for slow engines).
 */
function measureChecks(
  check: (i: number) => boolean,
  opts: { warmup: number; throughputChecks: number; latencyChecks: number; overheadNs: number },
): Timing {
  for (let i = 0; i < opts.warmup; i++) sink += check(i) ? 1 : 0;
  let checksPerSec = 0;
  if (opts.throughputChecks > 0) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < opts.throughputChecks; i++) sink += check(i) ? 1 : 0;
    const ns = Number(process.hrtime.bigint() - start);
    checksPerSec = (opts.throughputChecks / ns) * 1e9;
  }
  const samples = new Float64Array(opts.latencyChecks);
  let totalNs = 0;
  for (let i = 0; i < opts.latencyChecks; i++) {
    const a = process.hrtime.bigint();
    const allowed = check(i);
    const b = process.hrtime.bigint();
    sink += allowed ? 1 : 0;
    const ns = Number(b - a);
    totalNs += ns;
    samples[i] = Math.max(0, ns - opts.overheadNs);
  }
  if (checksPerSec === 0) checksPerSec = (opts.latencyChecks / totalNs) * 1e9;
  samples.sort();
  return {
    checksPerSec,
    p50us: percentile(samples, 0.5) / 1000,
    p99us: percentile(samples, 0.99) / 1000,
    checksTimed: opts.latencyChecks,
  };
}

function assertAgreement(
  engine: string,
  queries: readonly Query[],
  expected: readonly boolean[],
  sample: number,
  decide: (q: Query) => boolean,
): void {
  const n = Math.min(sample, queries.length);
  for (let i = 0; i < n; i++) {
    const q = at(queries, i);
    const got = decide(q);
    if (got !== at(expected, i)) {
      throw new Error(
        `${engine} disagrees with the reference on ${q.user} ${q.action} ${q.resource}: ` +
          `got ${got}, expected ${at(expected, i)}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------------------------

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = ((p.obj == "${SUPERUSER_RESOURCE}" && p.act == "full") || ((r.act == p.act || p.act == "full") && (r.obj == p.obj || keyMatch(r.obj, p.obj + ":*") || keyMatch(r.obj, p.obj + "/*")))) && g(r.sub, p.sub)
`;

function casbinLines(flat: Flattened): { policies: string[][]; grouping: string[][] } {
  const policies: string[][] = [];
  for (const [user, rules] of flat.users) {
    for (const r of rules) policies.push([user, r.resource, r.action]);
  }
  for (const [group, rules] of flat.groups) {
    for (const r of rules) policies.push([group, r.resource, r.action]);
  }
  const grouping: string[][] = [];
  for (const [user, groups] of flat.memberships) for (const g of groups) grouping.push([user, g]);
  return { policies, grouping };
}

type EntityJson = cedar.EntityJson;

function entityRef(type: string, id: string): { __entity: { type: string; id: string } } {
  return { __entity: { type, id } };
}

function grantId(action: Action, resource: string): string {
  return `${action}@${resource}`;
}

/**
 * Cedar with two fixed policies: each (resource, action) grant is a `Grant` entity that users
 * and groups are members of; the request's resource lists the grants that would cover it.
 */
const CEDAR_GRANT_POLICIES = `
permit(principal, action, resource) when { principal in resource.grants };
permit(principal, action, resource) when { principal in Grant::"${grantId('full', SUPERUSER_RESOURCE)}" };
`;

function cedarGrantSlices(flat: Flattened): Map<string, EntityJson[]> {
  const groupEntities = new Map<string, EntityJson>();
  for (const [group, rules] of flat.groups) {
    groupEntities.set(group, {
      uid: { type: 'Group', id: group },
      attrs: {},
      parents: rules.map((r) => ({ type: 'Grant', id: grantId(r.action, r.resource) })),
    });
  }
  const slices = new Map<string, EntityJson[]>();
  for (const [user, rules] of flat.users) {
    const groups = flat.memberships.get(user) ?? [];
    const userEntity: EntityJson = {
      uid: { type: 'User', id: user },
      attrs: {},
      parents: [
        ...groups.map((g) => ({ type: 'Group', id: g })),
        ...rules.map((r) => ({ type: 'Grant', id: grantId(r.action, r.resource) })),
      ],
    };
    const slice = [userEntity];
    for (const g of groups) {
      const entity = groupEntities.get(g);
      if (entity !== undefined) slice.push(entity);
    }
    slices.set(user, slice);
  }
  return slices;
}

function cedarResourceWithGrants(resource: string, action: Action): EntityJson {
  const grants: ReturnType<typeof entityRef>[] = [];
  const add = (prefix: string) => {
    grants.push(entityRef('Grant', grantId('full', prefix)));
    if (action !== 'full') grants.push(entityRef('Grant', grantId(action, prefix)));
  };
  for (let i = 0; i < resource.length; i++) {
    const c = resource.charCodeAt(i);
    if (c === 58 || c === 47) add(resource.substring(0, i));
  }
  add(resource);
  return { uid: { type: 'Resource', id: resource }, attrs: { grants }, parents: [] };
}

function cedarDecide(
  setId: string,
  principal: string,
  action: Action,
  resource: string,
  entities: EntityJson[],
): boolean {
  const answer = cedar.statefulIsAuthorized({
    principal: { type: 'User', id: principal },
    action: { type: 'Action', id: action },
    resource: { type: 'Resource', id: resource },
    context: {},
    entities,
    preparsedPolicySetId: setId,
  });
  if (answer.type !== 'success') {
    throw new Error(`cedar failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  return answer.response.decision === 'allow';
}

function cedarPreparse(setId: string, staticPolicies: string): void {
  const answer = cedar.preparsePolicySet(setId, { staticPolicies });
  if (answer.type !== 'success') {
    throw new Error(`cedar parse failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
}

/** The cost of one call with just the principal and the resource: Cedar's per-call floor. */
function cedarEmptyCallUs(): number {
  const entities: EntityJson[] = [
    { uid: { type: 'User', id: 'nobody' }, attrs: {}, parents: [] },
    cedarResourceWithGrants('a:b', 'read'),
  ];
  for (let i = 0; i < 100; i++) cedarDecide('gatehouse-grants', 'nobody', 'read', 'a:b', entities);
  const start = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) cedarDecide('gatehouse-grants', 'nobody', 'read', 'a:b', entities);
  return Number(process.hrtime.bigint() - start) / 1000 / 1000;
}

function cedarString(value: string): string {
  return JSON.stringify(value);
}

/** Cedar with one policy per rule, principals in groups and resources in their ancestors. */
function cedarPerRulePolicies(flat: Flattened): string[] {
  const policies: string[] = [];
  const emit = (principal: string, r: Rule) => {
    const action = r.action === 'full' ? 'action' : `action == Action::${cedarString(r.action)}`;
    const resource =
      r.action === 'full' && refCovers(r.resource, SUPERUSER_RESOURCE)
        ? 'resource'
        : `resource in Resource::${cedarString(r.resource)}`;
    policies.push(`permit(${principal}, ${action}, ${resource});`);
  };
  for (const [user, rules] of flat.users) {
    for (const r of rules) emit(`principal == User::${cedarString(user)}`, r);
  }
  for (const [group, rules] of flat.groups) {
    for (const r of rules) emit(`principal in Group::${cedarString(group)}`, r);
  }
  return policies;
}

function cedarResourceChain(resource: string): EntityJson[] {
  const out: EntityJson[] = [];
  let child = resource;
  for (let i = resource.length - 1; i >= 0; i--) {
    const c = resource.charCodeAt(i);
    if (c === 58 || c === 47) {
      const parent = resource.substring(0, i);
      out.push({
        uid: { type: 'Resource', id: child },
        attrs: {},
        parents: [{ type: 'Resource', id: parent }],
      });
      child = parent;
    }
  }
  out.push({ uid: { type: 'Resource', id: child }, attrs: {}, parents: [] });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

const FULL: Sizes = { users: 10_000, groups: 1_000, rules: 100_000, treeNodes: 20_000 };
const QUICK: Sizes = { users: 1_000, groups: 100, rules: 10_000, treeNodes: 2_000 };
const TINY: Sizes = { users: 100, groups: 10, rules: 1_000, treeNodes: 300 };
const AGREEMENT_SAMPLE = 500;

function expectedFor(flat: Flattened, queries: readonly Query[]): boolean[] {
  const cache = new Map<string, Rule[]>();
  return queries.map((q) => {
    let rules = cache.get(q.user);
    if (rules === undefined) {
      rules = referenceRules(flat, q.user);
      cache.set(q.user, rules);
    }
    return referenceAllowed(rules, q.resource, q.action);
  });
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function result(
  timing: Timing,
  build: { buildMs: number; heapMb: number },
  rules: number,
  agreed: number,
  note?: string,
): EngineResult {
  return {
    checksPerSec: Math.round(timing.checksPerSec),
    p50us: round(timing.p50us, 3),
    p99us: round(timing.p99us, 3),
    buildMs: round(build.buildMs, 1),
    heapMb: round(build.heapMb, 1),
    checksTimed: timing.checksTimed,
    agreed,
    rules,
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * Runs the ACL benchmark: generates seeded data (10k users, 1k groups, 100k rules; 10x smaller
 * with `quick`), checks every engine against the reference model on a sample of decisions,
 * then measures throughput, latency, build time and memory of each engine on the same queries.
 * Heap figures need full collections: run under `node --expose-gc` (acl-main does so itself).
 */
export async function benchAcl(opts: { quick: boolean }): Promise<AclBenchResult> {
  const sizes = opts.quick ? QUICK : FULL;
  const small = opts.quick ? TINY : QUICK;
  const data = generateData(0x6a7e, sizes);
  const flat = flatten(data);
  const queries = generateQueries(mulberry32(0xac1), data, flat, opts.quick ? 5_000 : 20_000);
  const expected = expectedFor(flat, queries);
  const allowRate = expected.filter(Boolean).length / expected.length;
  const overheadNs = timerOverheadNs();
  const fast = {
    warmup: 50_000,
    throughputChecks: opts.quick ? 500_000 : 2_000_000,
    latencyChecks: opts.quick ? 100_000 : 200_000,
    overheadNs,
  };
  const qAt = (i: number): Query => at(queries, i % queries.length);

  // Gatehouse: compile the policy once, each principal once (the authorizer's cache).
  const gh = await measureBuild(() => {
    const compiled = compilePolicy(data.policy);
    const sets = new Map<string, PermissionSet>();
    for (const u of data.users) sets.set(u.id, compilePrincipal(compiled, u.grants));
    return { compiled, sets };
  });
  const sets = gh.value.sets;
  const setOf = (user: string): PermissionSet => {
    const set = sets.get(user);
    if (set === undefined) throw new Error(`no permission set for ${user}`);
    return set;
  };
  assertAgreement('gatehouse', queries, expected, AGREEMENT_SAMPLE, (q) =>
    isAllowed(setOf(q.user), q.resource, q.action),
  );
  const ghTiming = measureChecks((i) => {
    const q = qAt(i);
    const set = sets.get(q.user);
    return set !== undefined && isAllowed(set, q.resource, q.action);
  }, fast);
  const gatehouse = result(
    ghTiming,
    gh,
    data.ruleCount,
    AGREEMENT_SAMPLE,
    `compilePrincipal ${round((gh.buildMs * 1000) / data.users.length, 1)} us/user incl. policy`,
  );

  // Gatehouse with one principal holding as many distinct rules as the whole tenant (100k at
  // full size), create/update only, so that most checks walk every ancestor and are denied.
  const heavyGrants: PrincipalGrants = {
    groups: [],
    roles: [],
    rules: heavyRules(data.tree, sizes.rules),
  };
  const heavy = await measureBuild(() => compilePrincipal(gh.value.compiled, heavyGrants));
  const heavySet = heavy.value;
  const heavyReference = [...heavyGrants.rules, ...(flat.groups.get(EVERYONE_GROUP) ?? [])];
  for (let i = 0; i < AGREEMENT_SAMPLE; i++) {
    const q = qAt(i);
    const want = referenceAllowed(heavyReference, q.resource, q.action);
    if (isAllowed(heavySet, q.resource, q.action) !== want) {
      throw new Error(
        `gatehouse (heavy) disagrees with the reference on ${q.action} ${q.resource}`,
      );
    }
  }
  const heavyTiming = measureChecks((i) => {
    const q = qAt(i);
    return isAllowed(heavySet, q.resource, q.action);
  }, fast);
  const gatehouseHeavy = result(
    heavyTiming,
    heavy,
    effectiveRules(heavySet).length,
    AGREEMENT_SAMPLE,
    `one principal with ${effectiveRules(heavySet).length} effective rules on ${heavySet.masks.size} resources`,
  );

  // Floor: the same ancestor walk and map lookups on the same maps, with no decision logic.
  const floorTiming = measureChecks((i) => {
    const q = qAt(i);
    const masks = sets.get(q.user)?.masks;
    if (masks === undefined) return false;
    const resource = q.resource;
    let hits = 0;
    for (let j = 0; j < resource.length; j++) {
      const c = resource.charCodeAt(j);
      if (c === 58 || c === 47) hits += masks.get(resource.substring(0, j)) ?? 0;
    }
    hits += masks.get(resource) ?? 0;
    return hits > 0;
  }, fast);
  const floor = result(
    floorTiming,
    { buildMs: 0, heapMb: 0 },
    data.ruleCount,
    0,
    'every ancestor looked up, no early exit; no decision, so nothing to check',
  );

  // casbin: in-memory RBAC model; it scans every policy line per check.
  const lines = casbinLines(flat);
  const cb = await measureBuild(async () => {
    const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
    await enforcer.addGroupingPolicies(lines.grouping);
    await enforcer.addPolicies(lines.policies);
    return enforcer;
  });
  const enforcer = cb.value;
  // casbin scans every line per check (~2 us a line here, ~0.25 s a check at full size), so at
  // full size it is checked and timed on fewer decisions to keep the run near two minutes.
  const casbinSample = opts.quick ? AGREEMENT_SAMPLE : 60;
  assertAgreement('casbin', queries, expected, casbinSample, (q) =>
    enforcer.enforceSync(q.user, q.resource, q.action),
  );
  const casbinTiming = measureChecks(
    (i) => {
      const q = qAt(i + casbinSample);
      return enforcer.enforceSync(q.user, q.resource, q.action);
    },
    { warmup: 5, throughputChecks: 0, latencyChecks: opts.quick ? 300 : 100, overheadNs },
  );
  const casbin = result(
    casbinTiming,
    cb,
    lines.policies.length,
    casbinSample,
    `${lines.policies.length} p lines + ${lines.grouping.length} g lines; rate from timed checks`,
  );

  // Cedar, fixed policies: grants as entities, the principal's slice passed per request.
  const cd = await measureBuild(() => {
    cedarPreparse('gatehouse-grants', CEDAR_GRANT_POLICIES);
    return cedarGrantSlices(flat);
  });
  const slices = cd.value;
  const cedarGrant = (q: Query): boolean => {
    const slice = slices.get(q.user) ?? [];
    const entities = [...slice, cedarResourceWithGrants(q.resource, q.action)];
    return cedarDecide('gatehouse-grants', q.user, q.action, q.resource, entities);
  };
  assertAgreement('cedar', queries, expected, AGREEMENT_SAMPLE, cedarGrant);
  const cedarTiming = measureChecks((i) => cedarGrant(qAt(i)), {
    warmup: 500,
    throughputChecks: 0,
    latencyChecks: 3_000,
    overheadNs,
  });
  const cedarResult = result(
    cedarTiming,
    cd,
    data.ruleCount,
    AGREEMENT_SAMPLE,
    `2 policies; slice = user + groups (grants as parents) + resource; ` +
      `a call with no entities costs ${round(cedarEmptyCallUs(), 1)} us here`,
  );

  // Cedar, one policy per rule, on the 10x smaller data set.
  const smallData = generateData(0x5eed, small);
  const smallFlat = flatten(smallData);
  const smallQueries = generateQueries(mulberry32(0xbeef), smallData, smallFlat, 2_000);
  const smallExpected = expectedFor(smallFlat, smallQueries);
  const perRulePolicies = cedarPerRulePolicies(smallFlat);
  const pr = await measureBuild(() => {
    cedarPreparse('gatehouse-per-rule', perRulePolicies.join('\n'));
    const userEntities = new Map<string, EntityJson>();
    for (const [user, groups] of smallFlat.memberships) {
      userEntities.set(user, {
        uid: { type: 'User', id: user },
        attrs: {},
        parents: groups.map((g) => ({ type: 'Group', id: g })),
      });
    }
    return userEntities;
  });
  const userEntities = pr.value;
  const cedarPerRuleDecide = (q: Query): boolean => {
    const user = userEntities.get(q.user);
    const entities = cedarResourceChain(q.resource);
    if (user !== undefined) entities.push(user);
    return cedarDecide('gatehouse-per-rule', q.user, q.action, q.resource, entities);
  };
  const perRuleSample = opts.quick ? AGREEMENT_SAMPLE : 150;
  assertAgreement(
    'cedar (per rule)',
    smallQueries,
    smallExpected,
    perRuleSample,
    cedarPerRuleDecide,
  );
  const perRuleTiming = measureChecks(
    (i) => cedarPerRuleDecide(at(smallQueries, (i + perRuleSample) % smallQueries.length)),
    { warmup: 5, throughputChecks: 0, latencyChecks: opts.quick ? 1_000 : 150, overheadNs },
  );
  const cedarPerRule = result(
    perRuleTiming,
    pr,
    perRulePolicies.length,
    perRuleSample,
    `${perRulePolicies.length} policies (one per rule) on the ${small.rules}-rule data set`,
  );

  if (sink < 0) throw new Error('unreachable');
  return {
    rules: data.ruleCount,
    users: data.users.length,
    groups: data.groupCount,
    queries: queries.length,
    allowRate: round(allowRate, 3),
    agreementSample: AGREEMENT_SAMPLE,
    engines: { gatehouse, gatehouseHeavy, casbin, cedar: cedarResult, cedarPerRule, floor },
  };
}

/** Formats the ACL benchmark result as a fixed-width table with one row per engine. */
export function formatAclTable(result: AclBenchResult): string {
  const header = [
    'engine',
    'checks/s',
    'p50 us',
    'p99 us',
    'build ms',
    'heap MB',
    'timed',
    'agreed',
    'rules',
  ];
  const rows: string[][] = [header];
  const num = (n: number) => n.toLocaleString('en-US');
  for (const [name, e] of Object.entries(result.engines) as [string, EngineResult | undefined][]) {
    if (e === undefined) continue;
    rows.push([
      name,
      num(e.checksPerSec),
      e.p50us.toFixed(3),
      e.p99us.toFixed(3),
      num(e.buildMs),
      e.heapMb.toFixed(1),
      num(e.checksTimed),
      num(e.agreed),
      num(e.rules),
    ]);
  }
  const widths = header.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, col) =>
        col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
      )
      .join('  ');
  const out = [
    `ACL: ${num(result.rules)} rules, ${num(result.users)} users, ${num(result.groups)} groups, ` +
      `${num(result.queries)} queries (${(result.allowRate * 100).toFixed(1)}% allowed), ` +
      `every engine agreed with the reference model on its sample ('agreed') before timing`,
    line(header),
    ...rows.slice(1).map(line),
    '',
    ...Object.entries(result.engines).flatMap(([name, e]) =>
      e?.note === undefined ? [] : [`  ${name}: ${e.note}`],
    ),
  ];
  return out.join('\n');
}
