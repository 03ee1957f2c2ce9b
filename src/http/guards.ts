// Origin and Host checks, before anything else sees the request. Browsers send Origin on cross-site
// requests, so a present Origin that is not allowed is refused (403); clients that send none (curl,
// mcp-remote, server-side agents) pass. The Host allow-list defeats DNS rebinding against a loopback server.
// While the Host check is on, an Origin naming that same allowed host is the server's own origin (a page it
// served, such as a form posting back) and passes: a rebinding page's Origin names the attacker's host, which
// the Host check has already refused.
// The SDK's createMcpExpressApp checks Host only, and its transports' own checks answer in plain text.
import type { RequestHandler } from 'express';
import cors from 'cors';
import { sendRefusal } from './respond.js';

export interface GuardOptions {
  allowedOrigins: string[];
  /** undefined: any Host passes (a public bind without ALLOWED_HOSTS). */
  allowedHosts: string[] | undefined;
}

export function isOriginAllowed(origin: string, allowed: string[]): boolean {
  return allowed.includes('*') || allowed.includes(origin.replace(/\/+$/, '').toLowerCase());
}

export function isHostAllowed(hostHeader: string | undefined, allowed: string[] | undefined): boolean {
  if (allowed === undefined) return true;
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  // Strip the port: "[::1]:8000" → "[::1]", "localhost:8000" → "localhost".
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return allowed.includes(host) || allowed.includes(name);
}

/** Whether `origin` is http(s) on exactly the request's own Host (name and port). */
export function isSameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (!hostHeader || !URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  // URL drops a default port ("http://localhost:80" → "localhost"), so compare against both spellings.
  const host = hostHeader.toLowerCase();
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  return url.host === host || (url.port === '' && `${url.host}:${defaultPort}` === host);
}

export function originAndHostGuard(opts: GuardOptions): RequestHandler {
  return (req, res, next) => {
    if (!isHostAllowed(req.headers.host, opts.allowedHosts)) {
      return sendRefusal(res, { status: 403, code: 'host_not_allowed', message: 'The Host header is not allowed; add it to ALLOWED_HOSTS.' });
    }
    const origin = req.headers.origin;
    const ownOrigin = opts.allowedHosts !== undefined && origin !== undefined && isSameOrigin(origin, req.headers.host);
    if (origin !== undefined && !ownOrigin && !isOriginAllowed(origin, opts.allowedOrigins)) {
      return sendRefusal(res, { status: 403, code: 'origin_not_allowed', message: 'The Origin is not allowed; add it to ALLOWED_ORIGINS.' });
    }
    next();
  };
}

/**
 * The cors package for allowed origins (the guard has already refused the others). CORS is a browser's
 * protocol and a browser always sends Origin on a cross-origin request; without one (mcp-remote, curl,
 * agents) there is nothing to answer, so the middleware is skipped.
 */
export function corsForAllowedOrigins(allowedOrigins: string[]): RequestHandler {
  const middleware = cors({
    origin: (origin, cb) => cb(null, origin !== undefined && isOriginAllowed(origin, allowedOrigins)),
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID'],
    exposedHeaders: ['Mcp-Session-Id'],
    maxAge: 600,
  });
  return (req, res, next) => (req.headers.origin === undefined ? next() : middleware(req, res, next));
}
