/** Test helpers that drive the local stack the way a client would: Cognito sign-in and HTTP calls. */
import { randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { rulesOfItem } from '#shared/store/records/packed-rules.js';

export const stack = inject('stack');
const local = { accessKeyId: 'local', secretAccessKey: 'local' };

export const cognito = new CognitoIdentityProviderClient({
  region: stack.cognito.region,
  endpoint: stack.cognito.endpoint,
  credentials: local,
});

export const ddb = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: stack.dynamodb.region,
    endpoint: stack.dynamodb.endpoint,
    credentials: local,
  }),
);

/** A unique, valid id for this test run (tenants, groups, roles). */
export function uniqueId(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function uniqueEmail(name = 'user'): string {
  return `${name}-${randomBytes(5).toString('hex')}@example.test`;
}

export interface TestUser {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

export async function signIn(email: string, password: string) {
  const res = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: stack.cognito.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  const r = res.AuthenticationResult;
  if (!r?.AccessToken || !r.IdToken || !r.RefreshToken)
    throw new Error('sign-in returned no tokens');
  return { accessToken: r.AccessToken, idToken: r.IdToken, refreshToken: r.RefreshToken };
}

/** Creates a Cognito user (as an operator would) and signs in. */
export async function createUser(email = uniqueEmail()): Promise<TestUser> {
  const password = `Pw-${randomBytes(9).toString('base64url')}-1a`;
  const created = await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: stack.cognito.userPoolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: stack.cognito.userPoolId,
      Username: email,
      Password: password,
      Permanent: true,
    }),
  );
  const userId = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!userId) throw new Error('no sub');
  return { email, password, userId, ...(await signIn(email, password)) };
}

/**
 * Signs `user` in again once the wall clock is in a later second than `ms` (default: now), so
 * the login counts as after every stamp up to `ms` (Cognito's auth_time has whole seconds).
 */
export async function signInAgain(user: TestUser, ms = Date.now()): Promise<TestUser> {
  const nextSecond = Math.floor(ms / 1000) * 1000 + 1000;
  while (Date.now() < nextSecond) await new Promise((r) => setTimeout(r, 25));
  return { ...user, ...(await signIn(user.email, user.password)) };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
  body: any;
}

/** Calls the local API; `body` is JSON-encoded unless it is already a string. */
export async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${stack.apiUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export interface OwnedTenant {
  tenantId: string;
  /** The superuser who created the tenant. */
  owner: TestUser;
  /** The tenant's API path, `/v1/tenants/{tenantId}`. */
  t: string;
  /** Call options that act as the owner. */
  as: { token: string };
}

/** Awaits `res` and throws unless it has `status` (setup steps, not the behaviour under test). */
export async function expectStatus(
  res: Promise<ApiResponse>,
  status: number,
  what = 'request',
): Promise<ApiResponse> {
  const r = await res;
  if (r.status !== status)
    throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/**
 * A setup step as a well-behaved client makes it: a 503 (a transaction that wrote nothing) is
 * retried after its Retry-After, up to three times. DynamoDB Local runs one transaction at a
 * time, and on a loaded 2-core CI machine another file's large transactions made a fixture's
 * tenant creation answer 503. Tests of 503 itself call `api` directly.
 */
async function setupCall(
  call: () => Promise<ApiResponse>,
  landed?: () => Promise<ApiResponse | undefined>,
): Promise<ApiResponse> {
  let res = await call();
  for (let attempt = 1; attempt <= 3 && res.status === 503; attempt++) {
    const seconds = Number(res.headers.get('retry-after') ?? 1);
    await new Promise((r) => setTimeout(r, Math.min(seconds, 5) * 1000));
    res = await call();
    // The guard answered 503 while DynamoDB Local was still committing: the first call's write
    // landed, so the retry conflicts with it. `landed` confirms that (and stands in for 201).
    if (res.status === 409 && landed) return (await landed()) ?? res;
  }
  return res;
}

/** A user who created a fresh tenant and is its superuser. */
export async function createTenantWithOwner(): Promise<OwnedTenant> {
  const owner = await createUser(uniqueEmail('owner'));
  const tenantId = uniqueId('t');
  const res = await setupCall(
    () =>
      api('POST', '/v1/tenants', {
        token: owner.accessToken,
        body: { tenantId, name: 'Test tenant' },
      }),
    async () => {
      // The tenant is there and this owner may read it: the earlier attempt created it.
      const mine = await api('GET', `/v1/tenants/${tenantId}`, { token: owner.accessToken });
      return mine.status === 200 ? { ...mine, status: 201 } : undefined;
    },
  );
  if (res.status !== 201)
    throw new Error(`tenant create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { tenantId, owner, t: `/v1/tenants/${tenantId}`, as: { token: owner.accessToken } };
}

/**
 * Adds a fresh Cognito user to the tenant (default roles plus `roles`) and returns them signed
 * in, an active member: the admin adds them (pending), they accept the mailed invite themselves.
 */
export async function addUser(
  tenantId: string,
  token: string,
  roles?: string[],
): Promise<TestUser> {
  const user = await createUser();
  await joinAsAdded(tenantId, token, user, roles);
  return user;
}

/** Makes `user` an active member (default roles plus `roles`): an admin adds them, they accept. */
export async function join(
  tenantId: string,
  token: string,
  user: TestUser,
  roles?: string[],
): Promise<void> {
  const res = await joinAsAdded(tenantId, token, user, roles);
  if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(res.body)}`);
}

/** `POST /members` for an existing user, then their own accept of the mailed invite. */
export async function joinAsAdded(
  tenantId: string,
  token: string,
  user: TestUser,
  roles?: string[],
): Promise<ApiResponse> {
  const res = await setupCall(
    () =>
      api('POST', `/v1/tenants/${tenantId}/members`, {
        token,
        body: roles ? { email: user.email, roles } : { email: user.email },
      }),
    async () => {
      // The earlier attempt added them: they are listed, pending their acceptance.
      const query = new URLSearchParams({ email: user.email });
      const found = await api('GET', `/v1/tenants/${tenantId}/members?${query}`, { token });
      const added = found.body?.items?.some((m: { email: string }) => m.email === user.email);
      return found.status === 200 && added ? { ...found, status: 201 } : undefined;
    },
  );
  if (res.status !== 201) throw new Error(`add member: ${res.status} ${JSON.stringify(res.body)}`);
  return acceptMailedInvite(user, tenantId);
}

/** Tokens already looked up, with their tenant ('' when unusable), so no mail is read twice. */
const looked = new Map<string, string>();

/** Accepts, as `user`, the invite to `tenantId` mailed to them (the newest usable one). */
export async function acceptMailedInvite(user: TestUser, tenantId: string): Promise<ApiResponse> {
  const { mailsTo, tokenOf } = await import('./mail-store.js');
  const deadline = Date.now() + 30_000;
  let last = 'no mail yet';
  for (;;) {
    const mails = await mailsTo(user.email);
    for (const mail of mails.reverse()) {
      const token = tokenOf(mail);
      let tenant = looked.get(token);
      if (tenant === undefined) {
        const lookup = await api('POST', '/v1/invites/lookup', { body: { token } });
        tenant = lookup.status === 200 ? String(lookup.body.tenantId) : '';
        looked.set(token, tenant);
      }
      if (tenant !== tenantId) continue;
      const accepted = await acceptInvite(token, user);
      looked.set(token, '');
      if (accepted.status === 200) return accepted;
      last = `${accepted.status} ${JSON.stringify(accepted.body)}`;
    }
    if (Date.now() > deadline) throw new Error(`no usable invite reached ${user.email}: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Accepts an invite token as `user` (signed in): the invitee's own act that makes them a member. */
export async function acceptInvite(token: string, user: TestUser): Promise<ApiResponse> {
  return api('POST', '/v1/invites/accept', { token: user.accessToken, body: { token } });
}

/** One item of the tenant's partition, read strongly consistent. */
export async function tenantRow(tenantId: string, sk = 'META') {
  const res = await ddb.send(
    new GetCommand({
      TableName: stack.dynamodb.tableName,
      Key: { pk: `TENANT#${tenantId}`, sk },
      ConsistentRead: true,
    }),
  );
  return res.Item;
}

/** A member's direct rules as stored (packed in member format 3, a list before), read raw. */
export async function storedMemberRules(tenantId: string, userId: string) {
  const item = await tenantRow(tenantId, `MEMBER#${userId}`);
  return item && rulesOfItem(item);
}
