/**
 * The console's and accept page's Content-Security-Policy, one definition for the local server
 * (local/console-pages.ts) and CloudFront (infra/constructs/console-site.ts).
 */

/** Scripts, styles and calls to the page's own origin, and token calls to `signInOrigin`. */
export function consolePageCsp(signInOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${signInOrigin}`,
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
