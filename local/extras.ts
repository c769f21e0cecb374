/** What the local stack serves beside Gatehouse's API: pages, example services, background workers. */
import { docsPage } from './docs-page.js';
import { exampleApis } from './example-apis.js';
import type { StackOptions } from './stack.js';

export function localExtras(): Pick<StackOptions, 'extraApis' | 'statics' | 'workers'> {
  return { extraApis: exampleApis, statics: [docsPage], workers: [] };
}
