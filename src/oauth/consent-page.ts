// The consent page: server-rendered HTML that works without JavaScript. It names the client (escaped; the
// name comes from an open registration), where the browser will be sent, and what approving grants, and
// asks for one of the server's access tokens. Headers: a CSP with no script at all and a nonce for the one
// style block, no framing, no caching, no referrer to other sites; the CSRF token rides in the form and in a
// cookie that only this page's own form sends back (SameSite=Strict).
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { ConsentView } from './provider.js';

export const CONSENT_PATH = '/oauth/consent';
/** How long a consent page stays answerable (its CSRF cookie lives as long). */
export const CONSENT_TTL_MS = 10 * 60_000;
const COOKIE_PREFIX = 'mcp_consent_';

/** The cookie that carries a consent request's CSRF token; one per request, so two tabs do not collide. */
export const csrfCookieName = (pendingId: string) => COOKIE_PREFIX + pendingId.slice(0, 16);

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The CSRF cookie: sent back only by this page's own form, never readable by script. */
const csrfCookieOptions = (secure: boolean) => ({ httpOnly: true, sameSite: 'strict' as const, secure, path: CONSENT_PATH });

function securityHeaders(res: Response, nonce: string, formTargets: string[]): void {
  res.set({
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': [
      "default-src 'none'",
      `style-src 'nonce-${nonce}'`,
      // Chromium applies form-action to the redirect that follows the POST, so the client's origin is listed.
      `form-action 'self' ${formTargets.join(' ')}`.trim(),
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // Not no-referrer: under it a browser sends `Origin: null` with the form's POST (Fetch's origin
    // serialization), which the Origin guard must refuse. same-origin still tells other sites nothing.
    'Referrer-Policy': 'same-origin',
  });
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}.box{border:1px solid #ccc;border-radius:8px;padding:1rem 1.25rem}.err{color:#a00;font-weight:600}
code{background:#f3f3f3;padding:0 .25rem;border-radius:4px}label{display:block;margin:1rem 0 .25rem}
input[type=password]{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
.row{display:flex;gap:.75rem;margin-top:1rem}button{font:inherit;padding:.5rem 1rem}`;

function page(res: Response, status: number, title: string, body: string, formTargets: string[] = []): void {
  const nonce = randomBytes(16).toString('base64');
  securityHeaders(res, nonce, formTargets);
  res.status(status).send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
      `<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head><body>${body}</body></html>`,
  );
}

export interface ConsentRender {
  status: number;
  pendingId: string;
  csrf: string;
  secureCookie: boolean;
  view: ConsentView;
  error?: string;
}

export function renderConsent(res: Response, r: ConsentRender): void {
  const { view } = r;
  const redirect = new URL(view.redirectUri);
  res.cookie(csrfCookieName(r.pendingId), r.csrf, { ...csrfCookieOptions(r.secureCookie), maxAge: CONSENT_TTL_MS });
  const body =
    `<h1>Allow ${escapeHtml(view.clientName)} to use this ElevenLabs MCP server?</h1>` +
    `<div class="box"><p><strong>${escapeHtml(view.clientName)}</strong> <small>(client id <code>${escapeHtml(view.clientId)}</code>)</small> ` +
    `asks for access. After you approve, your browser goes back to <strong>${escapeHtml(redirect.host)}</strong>.</p>` +
    `<p>It will be able to call this server's tools (${escapeHtml(view.scopes.join(' '))}): speech, voices, sound, music and agents, ` +
    `spending the ElevenLabs credits of the key this server runs with, until you or the server revoke the grant.</p></div>` +
    `<form method="post" action="${CONSENT_PATH}">` +
    `<input type="hidden" name="request" value="${escapeHtml(r.pendingId)}"><input type="hidden" name="csrf" value="${escapeHtml(r.csrf)}">` +
    `<label for="secret">Approve with one of this server's access tokens (<code>MCP_AUTH_TOKENS</code>)</label>` +
    (r.error ? `<p class="err" role="alert">${escapeHtml(r.error)}</p>` : '') +
    `<input type="password" id="secret" name="secret" required autocomplete="off" autofocus>` +
    `<div class="row"><button type="submit" name="action" value="approve">Approve</button>` +
    `<button type="submit" name="action" value="deny" formnovalidate>Deny</button></div></form>`;
  page(res, r.status, 'Approve access', body, [redirect.origin]);
}

/** A page with a message and no form: an expired request, too many attempts. */
export function renderMessage(res: Response, status: number, title: string, message: string): void {
  page(res, status, title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/** The CSRF cookie's value for a request, from the Cookie header. */
export function csrfCookie(header: string | undefined, pendingId: string): string | undefined {
  const name = csrfCookieName(pendingId);
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function clearCsrfCookie(res: Response, pendingId: string, secure: boolean): void {
  res.clearCookie(csrfCookieName(pendingId), csrfCookieOptions(secure));
}
