/** What the local stack serves beside Gatehouse's API: pages, example services, background workers. */
import { join } from 'node:path';
import { loadEnv } from '#shared/config/env.js';
import { consolePages } from './console-pages.js';
import { docsPage } from './docs-page.js';
import { exampleApis } from './example-apis.js';
import { loadHandler } from './function-modules.js';
import { startMailPoller } from './mail-poller.js';
import type { StackOptions } from './stack.js';

/** The mailer, fed by DynamoDB Local's stream; started after the stack has set the environment. */
function mailPoller(intervalMs?: number) {
  return async ({ dir }: { dir: string }) => {
    const env = loadEnv();
    if (!env.DYNAMODB_ENDPOINT) throw new Error('the mail poller needs DYNAMODB_ENDPOINT');
    return startMailPoller({
      endpoint: env.DYNAMODB_ENDPOINT,
      region: env.AWS_REGION,
      tableName: env.TABLE_NAME,
      checkpointFile: join(dir, 'mail-poller.json'),
      ...(intervalMs ? { intervalMs } : {}),
    });
  };
}

/** The outbox re-drive, run every `intervalMs` as the schedule runs it on AWS. */
function mailRedrive(intervalMs: number) {
  return async () => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = loadHandler<() => Promise<unknown>>('mail-redrive')
        .then((redrive) => redrive())
        .catch((error: Error) => process.stderr.write(`mail re-drive: ${error.message}\n`))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, intervalMs);
        });
    };
    timer = setTimeout(tick, intervalMs);
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    };
  };
}

export interface ExtrasOptions {
  /** How often the outbox re-drive runs (default: every 60 s, as on AWS). */
  redriveIntervalMs?: number;
  /** How often the stream poller polls (default 200 ms). */
  pollIntervalMs?: number;
}

export function localExtras(
  options: ExtrasOptions = {},
): Pick<StackOptions, 'extraApis' | 'statics' | 'pages' | 'workers'> {
  return {
    extraApis: exampleApis,
    statics: [docsPage],
    pages: async (info, { dir }) => [(await consolePages(info, join(dir, 'console'))).handler],
    workers: [mailPoller(options.pollIntervalMs), mailRedrive(options.redriveIntervalMs ?? 60_000)],
  };
}
