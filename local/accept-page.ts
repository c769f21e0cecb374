/** The local accept page at `/accept`: shows the invite lookup, then accepts with a new password or a pasted access token. */
import { PASSWORD_RULES } from '#shared/identity/password-policy.js';
import type { StaticHandler } from './http-server.js';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accept your invitation - Gatehouse</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; }
fieldset { margin: 1rem 0; } label { display: block; margin: .5rem 0; }
input, textarea { width: 100%; box-sizing: border-box; padding: .4rem; }
.error { color: #a00; } .ok { color: #070; }
</style>
</head>
<body>
<h1>Accept your invitation</h1>
<p id="status">Looking up your invitation...</p>
<dl id="details" hidden>
  <dt>Organization</dt><dd id="tenant"></dd>
  <dt>Invited email</dt><dd id="email"></dd>
  <dt>Invited by</dt><dd id="inviter"></dd>
  <dt>Expires</dt><dd id="expires"></dd>
</dl>
<form id="new" hidden>
  <fieldset><legend>New here? Choose a password</legend>
  <label>Password <input type="password" name="password" autocomplete="new-password" minlength="12" required></label>
  <p><small>${PASSWORD_RULES[0]?.toUpperCase()}${PASSWORD_RULES.slice(1)}.</small></p>
  <button type="submit">Create my account and join</button></fieldset>
</form>
<form id="existing" hidden>
  <fieldset><legend>Already have an account? Paste your access token</legend>
  <label>Access token <textarea name="accessToken" rows="4" required></textarea></label>
  <button type="submit">Join with my account</button></fieldset>
</form>
<p id="result"></p>
<script>
const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
function show(el, text, cls) { el.textContent = text; el.className = cls || ''; }
async function call(path, body, bearer) {
  const headers = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = 'Bearer ' + bearer;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let json = {}; try { json = text ? JSON.parse(text) : {}; } catch {}
  return { status: res.status, body: json };
}
function explain(res) {
  const errors = (res.body.errors || []).map((e) => e.path + ': ' + e.message).join('; ');
  return (res.body.detail || res.body.message || 'Request failed (' + res.status + ')') + (errors ? ' (' + errors + ')' : '');
}
async function accept(body, bearer) {
  const res = await call('/v1/invites/accept', body, bearer);
  if (res.status === 200 || res.status === 201) {
    $('new').hidden = true; $('existing').hidden = true;
    show($('result'), 'Welcome! You joined ' + res.body.tenantId + '. You can now sign in with your email.', 'ok');
  } else {
    show($('result'), explain(res), 'error');
  }
}
(async () => {
  if (!token) return show($('status'), 'This page needs the link from your invitation email.', 'error');
  const res = await call('/v1/invites/lookup', { token });
  if (res.status !== 200) return show($('status'), explain(res), 'error');
  show($('status'), 'You have been invited.');
  $('tenant').textContent = res.body.tenantName + ' (' + res.body.tenantId + ')';
  $('email').textContent = res.body.email;
  $('inviter').textContent = res.body.invitedBy;
  $('expires').textContent = new Date(res.body.expiresAt).toLocaleString();
  $('details').hidden = false; $('new').hidden = false; $('existing').hidden = false;
})();
$('new').addEventListener('submit', (e) => { e.preventDefault(); accept({ token, password: e.target.password.value }); });
$('existing').addEventListener('submit', (e) => { e.preventDefault(); accept({ token }, e.target.accessToken.value.trim()); });
</script>
</body>
</html>
`;

/** Serves the page on GET /accept; the token stays in the browser (query string) and is never logged. */
export const acceptPage: StaticHandler = async (req, res, url) => {
  if (url.pathname !== '/accept' || (req.method ?? 'GET').toUpperCase() !== 'GET') return false;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'",
  });
  res.end(PAGE);
  return true;
};
