/**
 * The CLI's one-shot loopback redirect receiver (RFC 8252 section 7.3): listens on the callback
 * URL's port on the loopback interface, takes the first request to its path, answers the browser
 * with a short page, and closes. Nothing it receives is logged.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { CliError, EXIT, usageError } from './errors.js';

/** What the browser came back with, and how to tell the person in that browser tab. */
export interface LoopbackCallback {
  /** The full callback URL the browser was sent to (code, state or error in its query). */
  url: URL;
  /** Answers the waiting browser tab; call once. */
  respond(ok: boolean, message: string): void;
}

export interface LoopbackReceiver {
  /** Resolves with the first callback, or rejects after the timeout. */
  callback: Promise<LoopbackCallback>;
  close(): Promise<void>;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  connection: 'close',
};

function page(ok: boolean, message: string): string {
  const title = ok ? 'Signed in' : 'Sign-in failed';
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} - Gatehouse CLI</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><main><h1>${title}</h1><p>${escaped}</p></main></body></html>`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes once the answered request is flushed; a browser's idle or stray connections are cut. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 2000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Starts listening for `redirectUri` (an http URL on localhost or 127.0.0.1). `localhost` is
 * served on both 127.0.0.1 and ::1, whichever the browser resolves it to.
 */
export async function receiveLoopbackCallback(
  redirectUri: string,
  timeoutMs: number,
): Promise<LoopbackReceiver> {
  const target = new URL(redirectUri);
  if (target.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(target.hostname)) {
    throw usageError(
      `The callback ${redirectUri} is not a plain-http loopback address.`,
      'use http://localhost:<port>/<path> (the port the app client allows)',
    );
  }
  const port = Number(target.port || 80);
  let deliver: (callback: LoopbackCallback) => void = () => {};
  let done = false;
  const servers: Server[] = [];
  const handler = (req: { url?: string; method?: string }, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', target.origin);
    if (done || req.method !== 'GET' || url.pathname !== target.pathname) {
      res.writeHead(404, PAGE_HEADERS);
      res.end(page(false, 'Nothing here. Return to your terminal.'));
      return;
    }
    done = true;
    deliver({
      url,
      respond(ok, message) {
        res.writeHead(ok ? 200 : 400, PAGE_HEADERS);
        res.end(page(ok, message));
      },
    });
  };
  const hosts = target.hostname === 'localhost' ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
  for (const host of hosts) {
    const server = createServer(handler);
    try {
      await listen(server, port, host);
      servers.push(server);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No IPv6 loopback on this machine: 127.0.0.1 alone serves localhost.
      if (host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
      await Promise.all(servers.map(closeServer));
      if (code === 'EADDRINUSE') {
        throw new CliError(
          `Port ${port} on this machine is in use, and sign-in must return to it.`,
          EXIT.unexpected,
          'finish or stop the other `gatehouse login` (or whatever listens there), then retry',
        );
      }
      throw error;
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const callback = new Promise<LoopbackCallback>((resolve, reject) => {
    deliver = resolve;
    timer = setTimeout(() => {
      done = true;
      reject(
        new CliError(
          `Sign-in was not finished within ${Math.round(timeoutMs / 1000)} s.`,
          EXIT.unauthenticated,
          'run `gatehouse login` again and complete the sign-in in the browser',
        ),
      );
    }, timeoutMs);
  });
  return {
    callback,
    async close() {
      clearTimeout(timer);
      await Promise.all(servers.map(closeServer));
    },
  };
}
