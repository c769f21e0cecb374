/**
 * `npm run redrive-mail`: lists the outbox mail that is dead (every attempt failed) and gives it
 * a fresh set of attempts, due now; the re-drive (every minute: the scheduled function on AWS,
 * a worker of `npm start` locally) then sends it. `--list` only lists. Against the local stack
 * by default (`.local/stack.json`); `--table <name> --region <region>` for a deployed one, with
 * the usual AWS credentials.
 *
 * `--events <file>` (repeatable) applies SES bounce and complaint events saved from the
 * mail-events dead-letter queue (a message body: the EventBridge event, or Lambda's failure
 * record around it) with the code the mail-events function runs; `--configuration-set <name>`
 * names the stage's set (the local one by default). Applying an event twice changes nothing.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createStoreDeps } from '#shared/app/store-deps.js';
import { outboxKinds } from '#shared/invites/invite-delivery.js';
import { applyMailEvent } from '#shared/invites/invite-mail-events.js';
import { parseMailEvent } from '#shared/mail/mail-events.js';
import { listDeadMail, requeueDeadMail } from '#shared/mail/outbox.js';
import { createDocumentClient } from '#shared/store/dynamo-client.js';
import { projectRoot } from './function-modules.js';
import { LOCAL_CONFIGURATION_SET } from './ses-events.js';
import type { StackInfo } from './stack.js';

const { values } = parseArgs({
  options: {
    list: { type: 'boolean', default: false },
    table: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    events: { type: 'string', multiple: true },
    'configuration-set': { type: 'string' },
  },
});

function target() {
  if (values.table) {
    return {
      tableName: values.table,
      region: values.region ?? 'us-east-1',
      endpoint: values.endpoint,
    };
  }
  const file = join(projectRoot, '.local', 'stack.json');
  if (!existsSync(file)) {
    throw new Error('no .local/stack.json: start the stack (`npm start`) or give --table <name>');
  }
  const info = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  return {
    tableName: info.dynamodb.tableName,
    region: info.dynamodb.region,
    endpoint: info.dynamodb.endpoint,
  };
}

const t = target();
const deps = createStoreDeps(
  createDocumentClient({ AWS_REGION: t.region, DYNAMODB_ENDPOINT: t.endpoint }),
  t.tableName,
);
/** The events a saved dead-letter message holds: one event, an array, or Lambda's failure record. */
function eventsIn(file: string): unknown[] {
  const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  return (Array.isArray(body) ? body : [body]).map((m) =>
    m && typeof m === 'object' && 'requestPayload' in m ? m.requestPayload : m,
  );
}

if (values.events?.length) {
  const set = values['configuration-set'] ?? (values.table ? undefined : LOCAL_CONFIGURATION_SET);
  if (!set) throw new Error('--events on a deployed stage needs --configuration-set <name>');
  for (const file of values.events) {
    for (const event of eventsIn(file)) {
      const result = await applyMailEvent(deps, parseMailEvent(event, set));
      process.stdout.write(`${file}: ${JSON.stringify(result)}\n`);
    }
  }
  deps.db.destroy();
  process.exit(0);
}

const dead = await listDeadMail(deps);
for (const d of dead) {
  process.stdout.write(
    `${d.deadAt}  ${d.type}  tenant ${d.tenantId}  ${d.email}  ${d.attempts} attempts  ${d.lastError}\n`,
  );
}
if (!dead.length) process.stdout.write('No dead mail.\n');
if (!values.list && dead.length) {
  const count = await requeueDeadMail(deps, outboxKinds);
  process.stdout.write(`Re-queued ${count} mail(s); the re-drive sends them within a minute.\n`);
}
deps.db.destroy();
