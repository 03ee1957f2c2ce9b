// The OAuth store (src/oauth/store.ts) in Redis, so that a client registered, a consent given, a code or a
// token issued on one instance works on every other. Each record is one key with its own expiry (SET …
// PX), so Redis forgets it when it ends; a code or a refresh token is used once because it is taken with
// GETDEL, which no two instances can both win. What only a hash of a secret may name stays so: codes and
// tokens are keyed by their SHA-256, as in memory.
//   <prefix>oauth:client:<client id>     a registered client (JSON), and <prefix>oauth:clients, their
//                                        registration times, to keep the newest `maxClients` (DCR is open)
//   <prefix>oauth:pending:<id>           a consent request
//   <prefix>oauth:code:<hash>            an authorization code
//   <prefix>oauth:token:<hash>           an access, refresh or rotated refresh token
//   <prefix>oauth:grant:<grant id>       the hashes of a grant's tokens, to revoke them together
import type { OAuthClientInformationFull } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ExpiringTable, OAuthStore, TokenRecord } from '../oauth/store.js';
import { redisScript, type RedisConnection } from './redis.js';

// Saves a client and drops the oldest registrations past the cap. KEYS: client key, index. ARGV: JSON, id,
// cap, client key prefix.
const SAVE_CLIENT = `
redis.call('SET', KEYS[1], ARGV[1])
local t = redis.call('TIME')
redis.call('ZADD', KEYS[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[2])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #oldest, 2 do redis.call('DEL', ARGV[4] .. oldest[i]) end
end`;

// Saves a token and files it under its grant, which lives as long as its longest-lived token. KEYS: token
// key, grant key. ARGV: JSON, TTL in ms, token hash.
const SAVE_TOKEN = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end`;

// Forgets every token of a grant. KEYS: grant key. ARGV: token key prefix.
const REVOKE_GRANT = `
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[1] .. hash) end
redis.call('DEL', KEYS[1])`;

export interface RedisOAuthStoreOptions {
  keyPrefix: string;
  /** Most registered clients kept; the oldest registration goes first. */
  maxClients?: number;
  now?: () => number;
}

export function createRedisOAuthStore(redis: RedisConnection, opts: RedisOAuthStoreOptions): OAuthStore {
  const { commands } = redis;
  const now = opts.now ?? Date.now;
  const base = `${opts.keyPrefix}oauth:`;
  const clientKey = `${base}client:`;
  const tokenKey = `${base}token:`;
  const grantKey = (grantId: string) => `${base}grant:${grantId}`;
  const saveClient = redisScript(commands, 'elevenlabsMcpSaveClient', 2, SAVE_CLIENT);
  const saveToken = redisScript(commands, 'elevenlabsMcpSaveToken', 2, SAVE_TOKEN);
  const revokeGrant = redisScript(commands, 'elevenlabsMcpRevokeGrant', 1, REVOKE_GRANT);
  /** Milliseconds until `expiresAt`, at least 1 (PX refuses 0). */
  const ttlOf = (expiresAt: number) => Math.max(1, expiresAt - now());

  /** A record read back, unless its expiry has passed (clocks of instances may differ a little from Redis's). */
  const live = <V extends { expiresAt: number }>(text: string | null): V | undefined => {
    if (!text) return undefined;
    const value = JSON.parse(text) as V;
    return value.expiresAt > now() ? value : undefined;
  };

  const table = <V extends { expiresAt: number }>(kind: string): ExpiringTable<V> => {
    const keyOf = (key: string) => `${base}${kind}:${key}`;
    return {
      async save(key, value) {
        await commands.set(keyOf(key), JSON.stringify(value), 'PX', ttlOf(value.expiresAt));
      },
      get: async (key) => live<V>(await commands.get(keyOf(key))),
      take: async (key) => live<V>(await commands.getdel(keyOf(key))),
    };
  };

  const tokens = table<TokenRecord>('token');
  return {
    clients: {
      async get(clientId) {
        const text = await commands.get(clientKey + clientId);
        return text ? (JSON.parse(text) as OAuthClientInformationFull) : undefined;
      },
      async save(client) {
        await saveClient(clientKey + client.client_id, `${base}clients`, JSON.stringify(client), client.client_id, opts.maxClients ?? 10_000, clientKey);
      },
    },
    pending: table('pending'),
    codes: table('code'),
    tokens: {
      ...tokens,
      async save(hash, record) {
        await saveToken(tokenKey + hash, grantKey(record.grantId), JSON.stringify(record), ttlOf(record.expiresAt), hash);
      },
    },
    async revokeGrant(grantId) {
      await revokeGrant(grantKey(grantId), tokenKey);
    },
  };
}
