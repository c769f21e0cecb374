/**
 * Faults of the dependencies, injected into a stack of this file's own: the SES emulator
 * stopped and started, DynamoDB Local stopped and paused (SIGSTOP). Outages are shortened by
 * configuration (per-attempt timeout 1.5 s, mail backoff 0.3-1 s, re-drive every 250 ms)
 * instead of lasting minutes; the mechanisms are the same.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapToken,
  call,
  eventually,
  mailsTo,
  usePrivateStack,
} from '../support/private-stack.js';

const ps = usePrivateStack(
  {
    DEPENDENCY_TIMEOUT_MS: '1500',
    MAIL_RETRY_BASE_SECONDS: '0.3',
    MAIL_RETRY_MAX_SECONDS: '1',
    MAIL_MAX_ATTEMPTS: '50',
  },
  { redriveIntervalMs: 250 },
);
let token: string;
let tenant: string;

beforeAll(async () => {
  token = await bootstrapToken(ps.info);
  tenant = ps.info.bootstrap.tenantId;
});

/** Measurements for the report (printed, not asserted: timing is no test condition). */
function report(line: string) {
  process.stdout.write(`[fault] ${line}\n`);
}

function statusCounts(answers: { status: number }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

const uniqueEmail = (name: string) =>
  `${name}-${Math.random().toString(36).slice(2, 10)}@example.test`;

async function invite(email: string) {
  return call(ps.info, 'GET', `/v1/tenants/${tenant}/invites?status=pending`, { token }).then(
    (r) =>
      (r.body?.items ?? []).find((i: { email: string }) => i.email === email) as
        | Record<string, unknown>
        | undefined,
  );
}

describe('SES down, then back', () => {
  it('delivers every mail exactly once after the outage, retrying in the meantime', async () => {
    await ps.stack.emulators.ses.stop();
    const outageStart = Date.now();
    const emails = [uniqueEmail('ses-a'), uniqueEmail('ses-b'), uniqueEmail('ses-c')];
    const res = await call(ps.info, 'POST', `/v1/tenants/${tenant}/invites`, {
      token,
      body: { emails },
    });
    // The API does not wait for SES: the invites are accepted during the outage.
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'invited',
      'invited',
      'invited',
    ]);
    // Keep SES down until every mail has failed several times (the old poller gave up after 4).
    const retried = await eventually(async () => {
      const all = await Promise.all(emails.map(invite));
      return all.every((i) => Number(i?.deliveryAttempts ?? 0) >= 5);
    });
    expect(retried).toBe(true);
    const during = await invite(emails[0] ?? '');
    expect(during).toMatchObject({ deliveryStatus: 'queued' });
    expect(String(during?.lastDeliveryError)).toMatch(/SES/);

    await ps.stack.emulators.ses.start();
    const back = Date.now();
    const delivered = await eventually(async () => {
      const all = await Promise.all(emails.map(invite));
      return all.every((i) => i?.deliveryStatus === 'sent');
    });
    expect(delivered).toBe(true);
    const attemptsDuring = (await Promise.all(emails.map(invite))).map((i) => i?.deliveryAttempts);
    report(
      `SES down ${back - outageStart} ms: invites answered ${res.status}; after SES came back all ` +
        `${emails.length} sent within ${Date.now() - back} ms (failed attempts per invite: ${attemptsDuring})`,
    );
    // Give a duplicate (a second deliverer, a replayed record) time to show up before counting.
    await new Promise((r) => setTimeout(r, 1500));
    for (const email of emails) expect(await mailsTo(ps.info, email)).toHaveLength(1);
  }, 90_000);
});

describe('DynamoDB down', () => {
  it('answers 503 problem+json with Retry-After, writes nothing, and recovers without a restart', async () => {
    const email = uniqueEmail('ddb-down');
    await ps.stack.emulators.dynamodb.stop();
    try {
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i === 0
            ? call(ps.info, 'POST', `/v1/tenants/${tenant}/invites`, {
                token,
                body: { emails: [email] },
              })
            : call(ps.info, 'GET', `/v1/tenants/${tenant}/members`, { token }),
        ),
      );
      report(
        `DynamoDB down: ${JSON.stringify(statusCounts(answers))} of ${answers.length} requests, ` +
          `all answered within ${Date.now() - started} ms, Retry-After ${answers[0]?.headers.get('retry-after')}`,
      );
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get('content-type')).toBe('application/problem+json');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(answer.body).toMatchObject({ status: 503, title: 'Service unavailable' });
      }
    } finally {
      await ps.stack.emulators.dynamodb.start();
    }
    const restarted = Date.now();
    const ok = await eventually(
      async () =>
        (await call(ps.info, 'GET', `/v1/tenants/${tenant}/members`, { token })).status === 200,
      60_000,
    );
    expect(ok).toBe(true);
    report(`DynamoDB back: first 200 ${Date.now() - restarted} ms after it answered again`);
    expect(await invite(email)).toBeUndefined();
  }, 90_000);
});

describe('DynamoDB paused', () => {
  it('answers 503 within the request deadline instead of hanging', async () => {
    ps.stack.emulators.dynamodb.pause();
    try {
      // `hangAfterMs` turns a hang into a failed request: the answer must come before it.
      const started = Date.now();
      const res = await call(ps.info, 'GET', `/v1/tenants/${tenant}/members`, {
        token,
        hangAfterMs: 20_000,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      const write = await call(ps.info, 'POST', `/v1/tenants/${tenant}/invites`, {
        token,
        body: { emails: [uniqueEmail('ddb-paused')] },
        hangAfterMs: 20_000,
      });
      expect(write.status).toBe(503);
      report(
        `DynamoDB paused: read ${res.status}, write ${write.status}, both within ${Date.now() - started} ms`,
      );
    } finally {
      ps.stack.emulators.dynamodb.resume();
    }
    const ok = await eventually(
      async () =>
        (await call(ps.info, 'GET', `/v1/tenants/${tenant}/members`, { token })).status === 200,
      60_000,
    );
    expect(ok).toBe(true);
  }, 90_000);
});

describe('cognito-local down during an add', () => {
  it('adds and mails without Cognito; the accept that needs Cognito is a 503 that a retry completes', async () => {
    const email = uniqueEmail('cognito-down');
    await ps.stack.emulators.cognito.stop();
    let acceptToken: string | undefined;
    try {
      // The add touches no Cognito (the person's account is made when they accept), so an
      // outage of the identity provider neither fails it nor loses its mail.
      const added = await call(ps.info, 'POST', `/v1/tenants/${tenant}/members`, {
        token,
        body: { email },
      });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      expect(added.body.status).toBe('pending');
      const mailed = await eventually(async () => (await mailsTo(ps.info, email)).length > 0);
      expect(mailed).toBe(true);
      const [mail] = (await mailsTo(ps.info, email)) as { body: { text: string } }[];
      acceptToken = /token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
      expect(acceptToken).toBeTruthy();
      // Accepting with a password creates the Cognito account: with Cognito down that is an
      // outage (503 + Retry-After), and nothing changes.
      const during = await call(ps.info, 'POST', '/v1/invites/accept', {
        body: { token: acceptToken, password: 'Cognito-down-pass-1!' },
        hangAfterMs: 20_000,
      });
      expect(during.status, JSON.stringify(during.body)).toBe(503);
      expect(during.headers.get('retry-after')).toBeTruthy();
      report(`cognito-local down: add ${added.status}, mail sent, accept ${during.status}`);
    } finally {
      await ps.stack.emulators.cognito.start();
    }
    // The same request once Cognito is back completes it: the person is an active member.
    const done = await eventually(async () => {
      const res = await call(ps.info, 'POST', '/v1/invites/accept', {
        body: { token: acceptToken, password: 'Cognito-down-pass-1!' },
      });
      return res.status === 201;
    }, 60_000);
    expect(done).toBe(true);
    const members = await call(
      ps.info,
      'GET',
      `/v1/tenants/${tenant}/members?email=${encodeURIComponent(email)}`,
      { token },
    );
    expect(members.body.items).toEqual([expect.objectContaining({ email, status: 'active' })]);
  }, 120_000);
});
