/**
 * `npm run smoke -- --stack <stack.json>`: the end-to-end contract, run against any stage a
 * stack.json describes (the local stack's `.local/stack.json`, or a deployed stage's file).
 * It signs in, creates a tenant, invites and accepts, grants and checks, forces a logout, uses
 * an API token, sends a CORS preflight, a `%2F` resource id and an unknown route, and deletes
 * what it created (the tenant stays: no route deletes a tenant). Exit 0 when every step passed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CognitoIdentityProviderClient,
  DeleteUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ApiClient, apiPath, tenantPath } from '../cli/api-client.js';
import { signIn } from '../cli/auth.js';
import { ApiError } from '../cli/errors.js';
import { readSmokeStack, type SmokeStack, smokeAdmin } from './smoke-target.js';

/** One step's outcome. */
export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface SmokeOptions {
  /** Reuse this tenant (the admin must be its superuser) instead of creating one. */
  tenant?: string;
  /** Where each step's line goes (default: stdout). */
  print?: (line: string) => void;
}

class StepFailed extends Error {}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailed(message);
}

/** The HTTP status of an API call: 2xx, or the status of the ApiError it threw. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    const res = (await call) as { status: number };
    return res.status;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

/** The invite token mailed to `email`: from the stage's inbox command, or the SES emulator's store. */
async function inviteToken(stack: SmokeStack, email: string): Promise<string> {
  const command = stack.smoke?.inviteTokenCommand;
  const storeUrl = stack.mail?.storeUrl;
  if (!command && !storeUrl) {
    throw new StepFailed(
      'no way to read the invite mail: give smoke.inviteTokenCommand (a deployed stage) or mail.storeUrl (the local SES emulator) in the stack file',
    );
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    let text = '';
    if (command) {
      text = execFileSync('sh', ['-c', command], {
        env: { ...process.env, SMOKE_INVITEE: email },
        encoding: 'utf8',
      });
    } else if (storeUrl) {
      const store = (await (await fetch(storeUrl)).json()) as {
        emails: { destination: { to: string[] }; body: { text: string } }[];
      };
      text = store.emails.filter((m) => m.destination.to.includes(email)).at(-1)?.body.text ?? '';
    }
    const token =
      /[?&]token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ??
      /^\s*([A-Za-z0-9_-]{20,})\s*$/.exec(text)?.[1];
    if (token) return token;
    if (Date.now() > deadline) throw new StepFailed(`no invite mail reached ${email} within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the wall clock is in a later second than `ms` (Cognito's auth_time has whole seconds). */
async function nextSecondAfter(ms: number) {
  const next = Math.floor(ms / 1000) * 1000 + 1000;
  while (Date.now() < next) await new Promise((r) => setTimeout(r, 50));
}

/** Runs every step against `stack`; the results, in order (cleanup steps last). */
export async function runSmoke(
  stack: SmokeStack,
  options: SmokeOptions = {},
): Promise<StepResult[]> {
  const print = options.print ?? ((line) => void process.stdout.write(`${line}\n`));
  const results: StepResult[] = [];
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      const value = await fn();
      results.push({ name, ok: true, ms: Date.now() - started });
      print(`ok    ${name} (${Date.now() - started} ms)`);
      return value;
    } catch (error) {
      const detail = (error as Error).message;
      results.push({ name, ok: false, ms: Date.now() - started, detail });
      print(`FAIL  ${name}: ${detail}`);
      throw error;
    }
  };
  const api = stack.apiUrl.replace(/\/+$/, '');
  const cognito = {
    region: stack.cognito.region,
    clientId: stack.cognito.clientId,
    endpoint: stack.cognito.endpoint,
  };
  const admin = smokeAdmin(stack);
  const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const inviteeEmail = stack.smoke?.inviteeEmail ?? `smoke-${run}@example.test`;
  const inviteePassword = `Smoke-${randomBytes(9).toString('base64url')}-1a!`;
  const rid = 'smoke:service/app';
  const created: { tenant?: string; userId?: string; grant?: boolean; serviceAccount?: boolean } =
    {};
  const cleanups: [string, () => Promise<unknown>][] = [];

  try {
    const session = await step(`sign in as ${admin.email}`, () =>
      signIn(cognito, admin.email, admin.password),
    );
    const client = new ApiClient(api, async () => session.accessToken);
    const anonymous = new ApiClient(api, undefined);

    const tenantId = options.tenant ?? `smoke-${run}`;
    if (!options.tenant) {
      await step(`create tenant ${tenantId}`, async () => {
        const res = await client.request('POST', '/v1/tenants', {
          body: { tenantId, name: 'Smoke test' },
        });
        expect(res.status === 201, `expected 201, got ${res.status}`);
        created.tenant = tenantId;
      });
    }
    const t = (...rest: string[]) => tenantPath(tenantId, ...rest);

    await step(`invite ${inviteeEmail}`, async () => {
      const res = await client.request<{ results: { status: string }[] }>('POST', t('invites'), {
        body: { emails: [inviteeEmail], roles: ['member'] },
      });
      expect(
        res.body.results[0]?.status === 'invited',
        `invite answered ${JSON.stringify(res.body)}`,
      );
    });

    const userId = await step('accept the mailed invite with a new password', async () => {
      const token = await inviteToken(stack, inviteeEmail);
      const lookup = await anonymous.request<{ tenantId: string }>('POST', '/v1/invites/lookup', {
        body: { token },
      });
      expect(lookup.body.tenantId === tenantId, `lookup names tenant ${lookup.body.tenantId}`);
      const res = await anonymous.request<{ userId: string }>('POST', '/v1/invites/accept', {
        body: { token, password: inviteePassword },
      });
      created.userId = res.body.userId;
      return res.body.userId;
    });
    cleanups.push([
      `remove member ${inviteeEmail}`,
      () => client.request('DELETE', t('members', userId)),
    ]);
    cleanups.push([
      `delete the Cognito user ${inviteeEmail}`,
      async () => {
        await nextSecondAfter(Date.now());
        const fresh = await signIn(cognito, inviteeEmail, inviteePassword);
        const idp = new CognitoIdentityProviderClient({
          region: cognito.region,
          ...(cognito.endpoint
            ? {
                endpoint: cognito.endpoint,
                credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
              }
            : {}),
        });
        try {
          await idp.send(new DeleteUserCommand({ AccessToken: fresh.accessToken }));
        } finally {
          idp.destroy();
        }
      },
    ]);
    const invitee = await step(`sign in as ${inviteeEmail}`, () =>
      signIn(cognito, inviteeEmail, inviteePassword),
    );
    const asInvitee = new ApiClient(api, async () => invitee.accessToken, tenantId, { retries: 0 });

    await step(`grant read on ${rid} (sent as ${encodeURIComponent(rid)})`, async () => {
      const path = t('acls', rid, 'users', userId, 'read');
      expect(path.includes('%2F'), `the path ${path} does not encode the /`);
      await client.request('PUT', path);
      created.grant = true;
      const perms = await client.request<{ items: { resource: string; action: string }[] }>(
        'GET',
        t('members', userId, 'permissions'),
        { query: { limit: 100 } },
      );
      expect(
        perms.body.items.some((p) => p.resource === rid && p.action === 'read'),
        `the rule on ${rid} is not listed once decoded`,
      );
    });
    cleanups.unshift([
      `revoke the grant on ${rid}`,
      () => client.request('DELETE', t('acls', rid, 'users', userId, 'read')),
    ]);

    await step('check: allowed below the grant, denied on a sibling', async () => {
      const check = (resource: string) =>
        client.request<{ allowed: boolean }>('POST', t('check'), {
          body: { email: inviteeEmail, resource, action: 'read' },
        });
      expect((await check(`${rid}/web`)).body.allowed === true, `${rid}/web read is not allowed`);
      expect(
        (await check('smoke:service/apple')).body.allowed === false,
        'a sibling sharing a prefix is allowed',
      );
    });

    await step('forced logout: the next request of the logged-out member is refused', async () => {
      expect(
        (await statusOf(asInvitee.request('GET', t()))) === 200,
        'the member cannot read the tenant before the logout',
      );
      expect(
        (await statusOf(
          client.request('POST', apiPath('v1', 'tenants', tenantId, 'logout', inviteeEmail)),
        )) === 204,
        'logout did not answer 204',
      );
      const after = await statusOf(asInvitee.request('GET', t()));
      expect(after === 401, `after the logout the member's token got ${after}, not 401`);
    });

    await step('API token: a service account token works, and not once revoked', async () => {
      const sa = `smoke-sa-${randomBytes(3).toString('hex')}`;
      await client.request('POST', t('service-accounts'), {
        body: { serviceAccountId: sa, name: 'Smoke test' },
      });
      created.serviceAccount = true;
      cleanups.unshift([
        `delete service account ${sa}`,
        () => client.request('DELETE', t('service-accounts', sa)),
      ]);
      await client.request('PUT', t('acls', 'gatehouse:acls', 'service-accounts', sa, 'read'));
      const minted = await client.request<{ token: string; tokenId: string }>(
        'POST',
        t('service-accounts', sa, 'tokens'),
        {
          body: { name: 'smoke', expiresInDays: 1 },
        },
      );
      const asToken = new ApiClient(api, async () => minted.body.token, tenantId, { retries: 0 });
      const body = { email: inviteeEmail, resource: rid, action: 'read' };
      expect(
        (await statusOf(asToken.request('POST', t('check'), { body }))) === 200,
        'the API token was refused',
      );
      await client.request('DELETE', t('service-accounts', sa, 'tokens', minted.body.tokenId));
      const revoked = await statusOf(asToken.request('POST', t('check'), { body }));
      expect(revoked === 401, `a revoked token got ${revoked}, not 401`);
    });

    await step(
      'CORS: a preflight from an allowed origin is answered, another origin gets no CORS header',
      async () => {
        const preflight = (origin: string) =>
          fetch(`${api}/v1/invites/lookup`, {
            method: 'OPTIONS',
            headers: {
              origin,
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'content-type',
            },
          });
        const allowed = stack.cors?.allowedOrigins[0];
        if (allowed) {
          const res = await preflight(allowed);
          expect(res.status < 300, `preflight answered ${res.status}`);
          expect(
            res.headers.get('access-control-allow-origin') === allowed,
            `no Access-Control-Allow-Origin for ${allowed}`,
          );
          expect(
            /post/i.test(res.headers.get('access-control-allow-methods') ?? ''),
            'POST is not an allowed method',
          );
        } else {
          print('      (no allowed origin in the stack file: only the refusal is checked)');
        }
        const other = await preflight('https://smoke-not-allowed.invalid');
        expect(
          !other.headers.get('access-control-allow-origin'),
          'a disallowed origin got Access-Control-Allow-Origin',
        );
      },
    );

    await step(
      'unknown route: 404 problem+json; known path, other method: 405 with Allow',
      async () => {
        const unknown = await fetch(`${api}/v1/smoke-no-such-route`);
        expect(unknown.status === 404, `unknown route answered ${unknown.status}`);
        expect(
          unknown.headers.get('content-type')?.startsWith('application/problem+json'),
          'not problem+json',
        );
        const body = (await unknown.json()) as { status?: number };
        expect(body.status === 404, 'the problem body has no status 404');
        const wrong = await fetch(`${api}/v1/tenants`, { method: 'DELETE' });
        expect(wrong.status === 405, `DELETE /v1/tenants answered ${wrong.status}`);
        expect(wrong.headers.get('allow')?.includes('POST'), 'no Allow header naming POST');
      },
    );
  } catch {
    // the failed step is recorded; clean up what was made
  } finally {
    for (const [name, fn] of cleanups) await step(name, fn).catch(() => undefined);
    if (created.tenant)
      print(
        `note  tenant ${created.tenant} stays (no route deletes a tenant); it holds nothing the smoke test made`,
      );
  }
  return results;
}

async function main() {
  const { values } = parseArgs({
    options: {
      stack: { type: 'string', default: '.local/stack.json' },
      tenant: { type: 'string' },
    },
  });
  const stack = readSmokeStack(values.stack);
  const results = await runSmoke(stack, { tenant: values.tenant });
  const failed = results.filter((r) => !r.ok);
  process.stdout.write(
    `\n${results.length - failed.length} of ${results.length} steps passed against ${stack.apiUrl}\n`,
  );
  process.exit(failed.length ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: Error) => {
    process.stderr.write(`smoke: ${error.message}\n`);
    process.exit(2);
  });
}
