/**
 * The local stand-in for Cognito's managed sign-in page: a plain HTML form (no script), each
 * error next to its field, usable by keyboard alone.
 */

export interface SignInForm {
  requestId: string;
  email?: string;
  errors?: { email?: string; password?: string; form?: string };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; } label { display: block; font-weight: 600; margin-top: 1rem; }
input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; font: inherit; border: 1px solid #555; border-radius: 4px; }
input[aria-invalid="true"] { border-color: #b00020; }
.error { color: #b00020; margin: .25rem 0 0; }
button { margin-top: 1.5rem; padding: .6rem 1.2rem; font: inherit; background: #1d4ed8; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
`;

function field(
  name: 'email' | 'password',
  label: string,
  attrs: string,
  error: string | undefined,
  focus: boolean,
) {
  const errorId = `${name}-error`;
  return `<label for="${name}">${label}</label>
<input id="${name}" name="${name}" ${attrs} required${error ? ` aria-invalid="true" aria-describedby="${errorId}"` : ''}${focus ? ' autofocus' : ''}>
${error ? `<p class="error" id="${errorId}">${escapeHtml(error)}</p>` : ''}`;
}

export function signInPage(form: SignInForm): string {
  const errors = form.errors ?? {};
  const focusPassword = Boolean(errors.password) && !errors.email;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Gatehouse</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Sign in to Gatehouse</h1>
${errors.form ? `<p class="error" role="alert">${escapeHtml(errors.form)}</p>` : ''}
<form method="post" action="/login" novalidate>
<input type="hidden" name="request" value="${escapeHtml(form.requestId)}">
${field('email', 'Email', `type="email" autocomplete="username" value="${escapeHtml(form.email ?? '')}"`, errors.email, !focusPassword)}
${field('password', 'Password', 'type="password" autocomplete="current-password"', errors.password, focusPassword)}
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}

/** A page for a request that cannot go back to its app (unknown client or redirect URL). */
export function errorPage(title: string, detail: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} - Gatehouse</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></main></body>
</html>`;
}
