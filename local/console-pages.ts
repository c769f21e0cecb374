/**
 * The console (`/console/`) and the hosted accept page (`/accept`) of the local stack, built by
 * console/build.ts at start, with `/console/config.json` telling them where to sign in (the
 * local OAuth facade on this origin).
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PASSWORD_POLICY } from '#shared/identity/password-policy.js';
import { buildConsole, type ConsoleBuild } from '../console/build.js';
import { consolePageCsp } from '../console/page-security.js';
import type { ConsoleConfig } from '../console/src/config.js';
import type { StaticHandler } from './http-server.js';
import type { StackInfo } from './stack.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The settings the pages read at load: the same shape a deployment writes beside them. */
export function consoleConfig(info: Omit<StackInfo, 'bootstrap'>): ConsoleConfig {
  const oauth = info.oauth;
  if (!oauth) throw new Error('the console needs the stack’s OAuth settings');
  return {
    issuer: oauth.issuer,
    clientId: oauth.clientId,
    authorizationEndpoint: `${info.apiUrl}/oauth2/authorize`,
    tokenEndpoint: `${info.apiUrl}/oauth2/token`,
    logoutEndpoint: `${info.apiUrl}/logout`,
    passwordPolicy: { ...PASSWORD_POLICY },
  };
}

function pageHeaders(connectTo: string) {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The invite token is in the accept page's address: never send it on as a referrer.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': consolePageCsp(connectTo),
  };
}

/** Builds the pages into `outDir` and serves them; `built` tells their sizes. */
export async function consolePages(
  info: Omit<StackInfo, 'bootstrap'>,
  outDir: string,
): Promise<{ handler: StaticHandler; built: ConsoleBuild }> {
  const built = await buildConsole({ outDir });
  const config = JSON.stringify(consoleConfig(info));
  const headers = pageHeaders(new URL(consoleConfig(info).tokenEndpoint).origin);
  const handler: StaticHandler = async (req, res, url) => {
    if ((req.method ?? 'GET').toUpperCase() !== 'GET') return false;
    const path = url.pathname;
    if (path === '/console' || path === '/console/' || path === '/accept') {
      res.writeHead(200, headers);
      res.end(built.pages[path === '/accept' ? 'accept' : 'console'].html);
      return true;
    }
    if (path === '/console/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(config);
      return true;
    }
    const asset = /^\/console\/assets\/([\w-]+\.(?:js|css))$/.exec(path)?.[1];
    if (!asset) return false;
    const body = await readFile(join(built.dir, 'assets', asset)).catch(() => undefined);
    if (!body) return false;
    res.writeHead(200, {
      'content-type': TYPES[extname(asset)] ?? 'application/octet-stream',
      // Content-hashed names: a changed file has a new name.
      'cache-control': 'public, max-age=31536000, immutable',
    });
    res.end(body);
    return true;
  };
  return { handler, built };
}
