// Bearer-token authentication for every MCP route (/health stays open). Tokens are compared in constant
// time (SHA-256 digests, every configured token checked), several may be valid at once so they can be
// rotated without downtime, and a token in the URL is refused because URLs end up in logs and histories.
// The middleware sets res.locals.principal (who is asking, for limits and session binding): "token:<digest
// prefix>" when authenticated, "ip:<address>" when authentication is off (req.ip honours TRUST_PROXY).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { sendRefusal } from './respond.js';

export const AUTH_REALM = 'elevenlabs-mcp';
const QUERY_TOKEN_NAMES = ['token', 'access_token', 'api_key', 'apikey', 'key', 'auth', 'authorization', 'bearer'];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Who is asking, as set by bearerAuth. */
export const principalOf = (res: Response): string => res.locals.principal as string;

function hasTokenInQuery(req: Request): boolean {
  const q = req.url.indexOf('?');
  if (q < 0) return false;
  for (const name of new URLSearchParams(req.url.slice(q + 1)).keys()) {
    if (QUERY_TOKEN_NAMES.includes(name.toLowerCase())) return true;
  }
  return false;
}

export function bearerAuth(tokens: string[]): RequestHandler {
  if (tokens.length === 0) {
    return (req, res, next) => {
      res.locals.principal = `ip:${req.ip ?? 'unknown'}`;
      next();
    };
  }
  const digests = tokens.map(digest);
  const ids = digests.map((d) => `token:${d.toString('hex').slice(0, 12)}`);
  const challenge = { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}"` };

  return (req, res, next) => {
    if (hasTokenInQuery(req)) {
      return sendRefusal(res, { status: 401, code: 'token_in_query', message: 'Tokens in the URL are refused; send them as an Authorization: Bearer header.', headers: challenge });
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return sendRefusal(res, { status: 401, code: 'unauthorized', message: 'This server needs an Authorization: Bearer <token> header.', headers: challenge });
    const presented = digest(match[1]!);
    let found = -1;
    for (let i = 0; i < digests.length; i++) {
      if (timingSafeEqual(presented, digests[i]!) && found < 0) found = i;
    }
    if (found < 0) {
      return sendRefusal(res, {
        status: 401,
        code: 'invalid_token',
        message: 'The bearer token is not valid for this server.',
        headers: { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}", error="invalid_token"` },
      });
    }
    res.locals.principal = ids[found]!;
    next();
  };
}
