/** `npm start`: the whole stack on 127.0.0.1 with no AWS account. `npm start -- --fresh` starts empty. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localExtras } from './extras.js';
import { projectRoot } from './function-modules.js';
import { ensurePrivateDir, writePrivateFile } from './private-dir.js';
import { startStack } from './stack.js';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    verbose: { type: 'boolean', default: false },
  },
});

const dir = join(projectRoot, '.local');
const started = Date.now();
const apiPort = Number(values.port);
const stack = await startStack({
  dir,
  persist: true,
  fresh: values.fresh,
  log: values.verbose,
  ports: { api: apiPort, dynamodb: apiPort + 1, cognito: apiPort + 2, ses: apiPort + 3 },
  ...localExtras(),
});
ensurePrivateDir(dir);
const stackFile = join(dir, 'stack.json');
writePrivateFile(stackFile, `${JSON.stringify(stack.info, null, 2)}\n`);
const { info } = stack;
process.stdout.write(
  [
    '',
    `Gatehouse is running (started in ${Date.now() - started} ms)`,
    `  API              ${info.apiUrl}/v1`,
    `  Mail viewer      ${info.mail.viewerUrl}`,
    `  DynamoDB Local   ${info.dynamodb.endpoint}  (table ${info.dynamodb.tableName})`,
    `  cognito-local    ${info.cognito.endpoint}  (pool ${info.cognito.userPoolId}, client ${info.cognito.clientId})`,
    `  Tenant           ${info.bootstrap.tenantId}`,
    `  Superuser        ${info.bootstrap.email} / ${info.bootstrap.password}`,
    `  Everything above is in ${stackFile}`,
    '',
    JSON.stringify(info, null, 2),
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Gatehouse...\n');
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
