// Which redirect URIs a client may register. DCR is open to anyone, so the redirect URI is what keeps a
// code from being sent to a stranger: https (optionally only to OAUTH_REDIRECT_HOSTS), or plain http on a
// loopback host, where Claude Code, mcp-remote and the Inspector listen for their callback.
import { CustomOAuthError, InvalidClientMetadataError } from '@modelcontextprotocol/sdk/server/auth/errors.js';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

export function isAllowedRedirectUri(uri: string, httpsHosts: readonly string[]): boolean {
  if (!URL.canParse(uri)) return false;
  const u = new URL(uri);
  // RFC 6749 §3.1.2: no fragment.
  if (u.hash || u.username || u.password) return false;
  if (u.protocol === 'http:') return LOOPBACK.test(u.hostname);
  if (u.protocol !== 'https:') return false;
  return httpsHosts.length === 0 || httpsHosts.includes(u.hostname.toLowerCase()) || LOOPBACK.test(u.hostname);
}

/** Throws the RFC 7591 error for the first redirect URI this server would not send a code to. */
export function checkRedirectUris(uris: readonly string[], httpsHosts: readonly string[]): void {
  if (uris.length === 0) throw new InvalidClientMetadataError('redirect_uris must name at least one redirect URI.');
  for (const uri of uris) {
    if (!isAllowedRedirectUri(uri, httpsHosts)) {
      const rule = httpsHosts.length ? `https on ${httpsHosts.join(', ')}` : 'https';
      // RFC 7591 §3.2.2 names this error.
      throw new CustomOAuthError('invalid_redirect_uri', `redirect_uri ${JSON.stringify(uri)} is not allowed: use ${rule}, or http on a loopback host (localhost, 127.0.0.1, [::1]).`);
    }
  }
}
