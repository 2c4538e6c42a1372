/** The login page: plain HTML served by the gate itself, so it needs no script or asset behind the token. */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export const LOGIN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function loginPageHtml(options: { next: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · AI-Slave</title>
<style>
  body { font-family: system-ui, sans-serif; background: #0b0d10; color: #e6e6e6; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { width: min(420px, 90vw); background: #15181d; border: 1px solid #2a2f37; border-radius: 10px; padding: 28px; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  p { color: #a8b0bb; font-size: 14px; line-height: 1.5; }
  label { display: block; font-size: 13px; margin: 16px 0 6px; }
  input { width: 100%; box-sizing: border-box; padding: 9px 10px; border-radius: 6px; border: 1px solid #39404a; background: #0b0d10; color: inherit; font-family: ui-monospace, monospace; }
  button { margin-top: 16px; width: 100%; padding: 9px; border: 0; border-radius: 6px; background: #e6e6e6; color: #0b0d10; font-weight: 600; cursor: pointer; }
  .error { color: #ff8a8a; }
  code { font-size: 13px; }
</style>
</head>
<body>
<main>
  <h1>AI-Slave</h1>
  <p>This server runs commands on your machines, so it asks for its access token. The server printed a login link when it started; <code>npm run token</code> prints the token again.</p>
  ${error}
  <form method="post" action="/login">
    <input type="hidden" name="next" value="${escapeHtml(options.next)}">
    <label for="token">Access token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
    <button type="submit">Log in</button>
  </form>
</main>
</body>
</html>
`;
}
