// Origin and Host checks, before anything else sees the request. Browsers send Origin on cross-site
// requests, so a present Origin that is not allowed is refused (403); clients that send none (curl,
// mcp-remote, server-side agents) pass. The Host allow-list defeats DNS rebinding against a loopback server.
import type { IncomingMessage } from 'node:http';
import type { Refusal } from './respond.js';

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

export function checkOriginAndHost(req: IncomingMessage, opts: GuardOptions): Refusal | undefined {
  if (!isHostAllowed(req.headers.host, opts.allowedHosts)) {
    return { status: 403, code: 'host_not_allowed', message: 'The Host header is not allowed; add it to ALLOWED_HOSTS.' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !isOriginAllowed(origin, opts.allowedOrigins)) {
    return { status: 403, code: 'origin_not_allowed', message: 'The Origin is not allowed; add it to ALLOWED_ORIGINS.' };
  }
  return undefined;
}
