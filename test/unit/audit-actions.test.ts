/** docs/audit.md lists exactly the audit actions the `action` filter accepts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '#shared/audit/audit-actions.js';

const section = readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8').split(
  '## The actions',
)[1];

describe('audit actions', () => {
  it('docs/audit.md lists every action, and no other', () => {
    const listed = [...(section ?? '').matchAll(/`([a-z-]+(?:\.[a-z-]+)+)`/g)]
      .map((m) => m[1] as string)
      .filter((name) => !name.endsWith('.ts') && !name.endsWith('.json'));
    expect(new Set(listed)).toEqual(new Set(AUDIT_ACTIONS));
  });
});
