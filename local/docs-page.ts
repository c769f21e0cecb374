/** The API docs page of the local stack: Swagger UI (served from swagger-ui-dist) reading /v1/openapi.json. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { StaticHandler } from './http-server.js';

const require = createRequire(import.meta.url);
const assets = dirname(require.resolve('swagger-ui-dist/package.json'));
const files: Record<string, string> = {
  '/docs/swagger-ui.css': 'text/css',
  '/docs/swagger-ui-bundle.js': 'text/javascript',
};

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Gatehouse API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css" />
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#docs', deepLinking: true });
  </script>
</body>
</html>`;

export const docsPage: StaticHandler = async (req, res, url) => {
  if (req.method !== 'GET') return false;
  if (url.pathname === '/docs' || url.pathname === '/docs/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
    return true;
  }
  const type = files[url.pathname];
  if (!type) return false;
  const body = await readFile(join(assets, url.pathname.slice('/docs/'.length)));
  res.writeHead(200, { 'content-type': type, 'cache-control': 'max-age=3600' });
  res.end(body);
  return true;
};
