// Bearer tokens on every MCP route. A static token from MCP_AUTH_TOKENS is checked here; when OAuth is on,
// any other bearer goes to the SDK's requireBearerAuth, which verifies it with our provider (audience,
// expiry) and answers 401 with the resource_metadata pointer clients follow into the OAuth flow. Either
// way the request carries a principal: the static token's id, which an OAuth grant inherits from the token
// that approved it, so limits and session binding treat both alike.
import { createHash, timingSafeEqual } from 'node:crypto';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Request, RequestHandler, Response } from 'express';
import { sendRefusal } from './respond.js';

export const AUTH_REALM = 'elevenlabs-mcp';
const QUERY_TOKEN_NAMES = ['token', 'access_token', 'api_key', 'apikey', 'key', 'auth', 'authorization', 'bearer'];

export const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Who is asking, as set by bearerAuth. */
export const principalOf = (res: Response): string => res.locals.principal as string;

/** The principal of a static token, from its SHA-256 in hex: short, stable, and no use as a credential. */
export const principalOfDigest = (digestHex: string) => `token:${digestHex.slice(0, 12)}`;

/** A configured static token, as held: its digest and the principal it stands for. */
export interface StaticToken {
  /** SHA-256 of the token, hex. */
  digestHex: string;
  principal: string;
}

/** The configured static tokens, compared in constant time and held only as digests. */
export interface StaticTokens {
  readonly size: number;
  /** The configured token equal to `presented`, if any. */
  match(presented: string): StaticToken | undefined;
  /** Whether a token with this digest is still configured. */
  has(digestHex: string): boolean;
}

export function staticTokens(tokens: readonly string[]): StaticTokens {
  const held = tokens.map((t) => {
    const digest = sha256(t);
    const digestHex = digest.toString('hex');
    return { digest, token: { digestHex, principal: principalOfDigest(digestHex) } };
  });
  const hex = new Set(held.map((h) => h.token.digestHex));
  return {
    size: held.length,
    match(presented) {
      const p = sha256(presented);
      let found: StaticToken | undefined;
      // Every digest is compared, so the time taken says nothing about which one matched.
      for (const h of held) if (timingSafeEqual(p, h.digest) && !found) found = h.token;
      return found;
    },
    has: (digestHex) => hex.has(digestHex),
  };
}

function hasTokenInQuery(req: Request): boolean {
  const q = req.url.indexOf('?');
  if (q < 0) return false;
  for (const name of new URLSearchParams(req.url.slice(q + 1)).keys()) {
    if (QUERY_TOKEN_NAMES.includes(name.toLowerCase())) return true;
  }
  return false;
}

/** What the bearer check needs to accept OAuth access tokens as well. */
export interface OAuthBearer {
  verifier: OAuthTokenVerifier;
  /** Tokens must be issued for this resource (PUBLIC_URL). */
  resource: URL;
  /** The protected-resource metadata URL named in WWW-Authenticate on 401. */
  resourceMetadataUrl: string;
  /** Whether the token store answers now (Redis); while it does not, an OAuth token gets 503, not the SDK's 500. */
  available?: () => boolean;
}

export function bearerAuth(known: StaticTokens, oauth?: OAuthBearer): RequestHandler {
  if (known.size === 0) {
    return (req, res, next) => {
      res.locals.principal = `ip:${req.ip ?? 'unknown'}`;
      next();
    };
  }
  const challenge = { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}"` };
  const viaOAuth = oauth && requireBearerAuth({ verifier: oauth.verifier, expectedResource: oauth.resource, resourceMetadataUrl: oauth.resourceMetadataUrl });

  return (req, res, next) => {
    if (hasTokenInQuery(req)) {
      return sendRefusal(res, { status: 401, code: 'token_in_query', message: 'Tokens in the URL are refused; send them as an Authorization: Bearer header.', headers: challenge });
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const found = match ? known.match(match[1]!) : undefined;
    if (found) {
      res.locals.principal = found.principal;
      return next();
    }
    if (viaOAuth) {
      if (match && oauth.available && !oauth.available()) {
        return sendRefusal(res, {
          status: 503,
          code: 'token_store_unavailable',
          message: 'The store of OAuth tokens is unreachable for a moment; retry after the time in Retry-After.',
          headers: { 'Retry-After': '5' },
        });
      }
      return viaOAuth(req, res, (err?: unknown) => {
        if (err) return next(err);
        res.locals.principal = (req as Request & { auth?: AuthInfo }).auth!.extra!.principal;
        next();
      });
    }
    if (!match) return sendRefusal(res, { status: 401, code: 'unauthorized', message: 'This server needs an Authorization: Bearer <token> header.', headers: challenge });
    sendRefusal(res, {
      status: 401,
      code: 'invalid_token',
      message: 'The bearer token is not valid for this server.',
      headers: { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}", error="invalid_token"` },
    });
  };
}
