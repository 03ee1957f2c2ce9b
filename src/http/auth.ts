// Bearer-token authentication for every MCP route (/health stays open). Tokens are compared in constant
// time (SHA-256 digests, every configured token checked), several may be valid at once so they can be
// rotated without downtime, and a token in the URL is refused because URLs end up in logs and histories.
// The result is the request's principal (who it is, for limits and session binding): "token:<digest
// prefix>" when authenticated, "ip:<address>" when authentication is off.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Refusal } from './respond.js';

export const AUTH_REALM = 'elevenlabs-mcp';
const QUERY_TOKEN_NAMES = ['token', 'access_token', 'api_key', 'apikey', 'key', 'auth', 'authorization', 'bearer'];

const digest = (s: string) => createHash('sha256').update(s).digest();

export type Authenticator = (req: IncomingMessage, query: URLSearchParams, clientAddress: string) => { principal: string } | Refusal;

export function createAuthenticator(tokens: string[]): Authenticator {
  const digests = tokens.map(digest);
  const ids = digests.map((d) => `token:${d.toString('hex').slice(0, 12)}`);
  const challenge = { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}"` };

  if (digests.length === 0) return (_req, _query, clientAddress) => ({ principal: `ip:${clientAddress}` });

  return (req, query) => {
    for (const name of query.keys()) {
      if (QUERY_TOKEN_NAMES.includes(name.toLowerCase())) {
        return { status: 401, code: 'token_in_query', message: 'Tokens in the URL are refused; send them as an Authorization: Bearer header.', headers: challenge };
      }
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return { status: 401, code: 'unauthorized', message: 'This server needs an Authorization: Bearer <token> header.', headers: challenge };
    const presented = digest(match[1]!);
    let found = -1;
    for (let i = 0; i < digests.length; i++) {
      if (timingSafeEqual(presented, digests[i]!) && found < 0) found = i;
    }
    if (found < 0) {
      return {
        status: 401,
        code: 'invalid_token',
        message: 'The bearer token is not valid for this server.',
        headers: { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}", error="invalid_token"` },
      };
    }
    return { principal: ids[found]! };
  };
}
