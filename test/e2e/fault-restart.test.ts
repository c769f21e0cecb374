/**
 * The stack stopped right after an invite's 200, before its mail poller saw the outbox record,
 * then started again on the same data: the mail is sent after the restart. The first run polls the stream only once a minute, so the kill surely comes before
 * the poller saw the outbox record; the re-drive's safety net (due after 60 s) is slower than
 * this test waits, so what delivers is the poller resuming where it stopped.
 */
import { expect, it } from 'vitest';
import {
  bootstrapToken,
  call,
  eventually,
  mailsTo,
  usePrivateStack,
} from '../support/private-stack.js';

const ps = usePrivateStack({}, { pollIntervalMs: 60_000 });

it('sends the mail of an invite acknowledged just before the stack stopped', async () => {
  const token = await bootstrapToken(ps.info);
  const tenant = ps.info.bootstrap.tenantId;
  const email = `restart-${Math.random().toString(36).slice(2, 10)}@example.test`;
  const res = await call(ps.info, 'POST', `/v1/tenants/${tenant}/invites`, {
    token,
    body: { emails: [email] },
  });
  expect(res.status).toBe(200);
  // The Gatehouse process goes away before its poller saw the record. DynamoDB Local is ended
  // with SIGTERM: a SIGKILL loses its last writes, which real DynamoDB never does.
  await ps.stack.stop();

  const restarting = Date.now();
  await ps.restart();
  const up = Date.now();
  const sent = await eventually(async () => (await mailsTo(ps.info, email)).length > 0, 30_000);
  expect(sent).toBe(true);
  process.stdout.write(
    `[fault] restart took ${up - restarting} ms; the mail went out ${Date.now() - up} ms after the stack was up\n`,
  );
  expect(await mailsTo(ps.info, email)).toHaveLength(1);
}, 120_000);
