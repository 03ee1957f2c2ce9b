// Bearer-token authentication for every MCP route (/health stays open). Tokens are compared in constant
// time (SHA-256 digests, every configured token checked), several may be valid at once so they can be
// rotated without downtime, and a token in the URL is refused because URLs end up in logs and histories.
// The request's principal (who it is, for limits and session binding) is left in res.locals.principal:
// "token:<digest prefix>" when authenticated, "ip:<address>" when authentication is off.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { sendJsonError } from './json-error.js';

export const AUTH_REALM = 'elevenlabs-mcp';
const QUERY_TOKEN_NAMES = ['token', 'access_token', 'api_key', 'apikey', 'key', 'auth', 'authorization', 'bearer'];

const digest = (s: string) => createHash('sha256').update(s).digest();

export function principalOf(res: Response): string {
  return (res.locals.principal as string | undefined) ?? 'anonymous';
}

export function bearerAuth(tokens: string[]): RequestHandler {
  const digests = tokens.map(digest);
  const ids = digests.map((d) => `token:${d.toString('hex').slice(0, 12)}`);
  const challenge = { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}"` };

  if (digests.length === 0) {
    return (req, res, next) => {
      res.locals.principal = `ip:${req.ip ?? 'unknown'}`;
      next();
    };
  }
  return (req, res, next) => {
    for (const name of Object.keys(req.query)) {
      if (QUERY_TOKEN_NAMES.includes(name.toLowerCase())) {
        return sendJsonError(res, 401, 'token_in_query', 'Tokens in the URL are refused; send them as an Authorization: Bearer header.', challenge);
      }
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      return sendJsonError(res, 401, 'unauthorized', 'This server needs an Authorization: Bearer <token> header.', challenge);
    }
    const presented = digest(match[1]!);
    let found = -1;
    for (let i = 0; i < digests.length; i++) {
      if (timingSafeEqual(presented, digests[i]!) && found < 0) found = i;
    }
    if (found < 0) {
      return sendJsonError(res, 401, 'invalid_token', 'The bearer token is not valid for this server.', {
        'WWW-Authenticate': `Bearer realm="${AUTH_REALM}", error="invalid_token"`,
      });
    }
    res.locals.principal = ids[found];
    next();
  };
}
