/**
 * The check body is parsed by zod's compiled fast path (`compiledOnFirstParse`): it must answer
 * exactly as the interpreted schema does, the parsed value of a valid body and the 400's field
 * errors of an invalid one alike. The interpreted twin is a clone of the same schema that is
 * not opted in, parsed by the same `parseInput`. The compiler is installed as the acls function
 * installs it.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { parseInput, useSchemaCompiler } from '#shared/common/validation.js';
import { InvalidError } from '#shared/errors/domain-errors.js';
import { CheckBody } from '#shared/permissions/acl-schemas.js';

useSchemaCompiler(z.compile); // as the acls function does
const interpreted = z.clone(CheckBody);
const userId = 'd069b9ed-e8cd-466d-8793-a0d099e1308f';
const one = { userId, resource: 'app:svc-3/instance-1', action: 'read' };
const batch = (n: number, at = (i: number): object => ({ ...one, resource: `app:svc-${i}` })) => ({
  checks: Array.from({ length: n }, (_, i) => at(i)),
});

/** The parsed value, or the 400's message and field errors. */
function outcome(schema: typeof CheckBody, body: unknown) {
  try {
    return { data: parseInput(schema, body, 'body') };
  } catch (error) {
    if (!(error instanceof InvalidError)) throw error;
    return { message: error.message, errors: error.errors };
  }
}

const valid: [string, unknown][] = [
  ['one check by userId', one],
  [
    'one check by email, trimmed and lower-cased',
    { ...one, userId: undefined, email: ' Ann@X.Test ' },
  ],
  [
    'one check by service account',
    { serviceAccountId: 'ci-bot', resource: 'app:a', action: 'full' },
  ],
  ['100 checks of one subject', batch(100)],
  [
    'checks of every kind of subject',
    batch(
      9,
      (i) =>
        [
          { userId: `u-${i}`, resource: `app:x/${i}`, action: 'create' },
          { email: `Someone-${i}@Example.test `, resource: 'a:b:c', action: 'delete' },
          { serviceAccountId: `sa-${i}`, resource: 'dcos:service:marathon', action: 'update' },
        ][i % 3] as object,
    ),
  ],
];

const invalid: [string, unknown][] = [
  [
    'a bad resource in the 4th check',
    batch(5, (i) => ({ ...one, resource: i === 3 ? 'a//b' : 'a' })),
  ],
  ['an unknown action', batch(3, (i) => ({ ...one, action: i === 2 ? 'fly' : 'read' }))],
  ['an unknown field in a check', batch(2, (i) => (i ? { ...one, extra: 1 } : one))],
  ['two subjects in a check', batch(2, (i) => (i ? { ...one, email: 'a@b.test' } : one))],
  ['no subject in a check', batch(2, () => ({ resource: 'a', action: 'read' }))],
  ['101 checks', batch(101)],
  ['no checks', { checks: [] }],
  ['checks beside a single check', { ...batch(1), userId, action: 'read' }],
  ['a single check without resource or action', { userId }],
  ['a single check with no subject', { resource: 'a', action: 'read' }],
  ['a control character', batch(2, (i) => (i ? { ...one, userId: 'a\u001bb' } : one))],
  ['checks that are not an array', { checks: one }],
  ['a check that is not an object', { checks: [one, 'x'] }],
  ['a body that is not an object', [one]],
  ['an empty email', { ...one, userId: undefined, email: '   ' }],
  // JSON.parse makes `__proto__` an own key: the compiled parser must refuse it as unknown, never
  // copy it into the parsed value (where it would set the prototype).
  [
    'a __proto__ key in a check',
    batch(2, (i) =>
      i
        ? JSON.parse(
            `{"userId":"${userId}","resource":"a","action":"read","__proto__":{"admin":true}}`,
          )
        : one,
    ),
  ],
  [
    'a __proto__ key beside the checks',
    JSON.parse(`{"checks":[${JSON.stringify(one)}],"__proto__":{"admin":true}}`),
  ],
  ['a constructor key in a check', batch(1, () => ({ ...one, constructor: { prototype: {} } }))],
];

describe('the compiled check body', () => {
  it('compiles (the fast path is not silently the interpreted parser)', () => {
    expect(() => z.compile(CheckBody, { strict: true })).not.toThrow();
  });

  it.each(valid)('parses %s as the interpreted schema does', (_, body) => {
    const compiled = outcome(CheckBody, body);
    expect(compiled.data).toBeDefined();
    expect(compiled).toEqual(outcome(interpreted, body));
  });

  it.each(invalid)('refuses %s with the same field errors', (_, body) => {
    const compiled = outcome(CheckBody, body);
    expect(compiled.errors?.length).toBeGreaterThan(0);
    expect(compiled).toEqual(outcome(interpreted, body));
    expect(({} as { admin?: unknown }).admin).toBeUndefined();
  });
});
