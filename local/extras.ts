/** What the local stack serves beside Gatehouse's API: pages, example services, background workers. */
import { loadEnv } from '#shared/config/env.js';
import { acceptPage } from './accept-page.js';
import { docsPage } from './docs-page.js';
import { exampleApis } from './example-apis.js';
import { startMailPoller } from './mail-poller.js';
import type { StackOptions } from './stack.js';

/** The mailer, fed by DynamoDB Local's stream; started after the stack has set the environment. */
async function mailPoller() {
  const env = loadEnv();
  if (!env.DYNAMODB_ENDPOINT) throw new Error('the mail poller needs DYNAMODB_ENDPOINT');
  return startMailPoller({
    endpoint: env.DYNAMODB_ENDPOINT,
    region: env.AWS_REGION,
    tableName: env.TABLE_NAME,
  });
}

export function localExtras(): Pick<StackOptions, 'extraApis' | 'statics' | 'workers'> {
  return { extraApis: exampleApis, statics: [docsPage, acceptPage], workers: [mailPoller] };
}
