// Everything the OAuth server remembers, behind one interface: registered clients, consent requests
// waiting for approval, authorization codes, and tokens. Codes and tokens are keyed by a hash of their
// value, so the store never holds a usable secret. Every record carries its own expiry; a record past it
// is gone. The in-memory store serves one process (a restart loses every grant: clients authorize again);
// with REDIS_URL, stores/redis-oauth.ts puts Redis behind the same interface, each operation one command
// or script (save = SET with PX, take = GETDEL, the grant index = a set).
import type { OAuthClientInformationFull } from '@modelcontextprotocol/sdk/shared/auth.js';

/** An authorization request waiting on the consent page. */
export interface PendingConsent {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string | undefined;
  scopes: string[];
  /** The CSRF token the consent form must echo (and its cookie carry). */
  csrf: string;
  expiresAt: number;
}

/** What an approval grants; codes and tokens carry it. */
export interface Grant {
  /** One id per approval: revoking it ends every token that came from it. */
  grantId: string;
  clientId: string;
  scopes: string[];
  /** The static token (its SHA-256, hex) that approved: the grant lives only while that token is configured. */
  approvedBy: string;
  /** The resource the tokens are for (PUBLIC_URL). */
  resource: string;
}

export interface CodeRecord extends Grant {
  redirectUri: string;
  codeChallenge: string;
  expiresAt: number;
  /** Exchanged already; kept until it expires so that a second use is recognised. */
  used?: true;
}

export interface TokenRecord extends Grant {
  /** 'rotated': a refresh token already exchanged, kept until it expires so that reuse is recognised. */
  kind: 'access' | 'refresh' | 'rotated';
  expiresAt: number;
}

/** Records of one kind, each gone at its own expiry. */
export interface ExpiringTable<V extends { expiresAt: number }> {
  save(key: string, value: V): Promise<void>;
  get(key: string): Promise<V | undefined>;
  /** Returns the record and forgets it, atomically: what is taken is used once. */
  take(key: string): Promise<V | undefined>;
}

export interface OAuthStore {
  clients: {
    get(clientId: string): Promise<OAuthClientInformationFull | undefined>;
    save(client: OAuthClientInformationFull): Promise<void>;
  };
  /** Consent requests, by their id. */
  pending: ExpiringTable<PendingConsent>;
  /** Authorization codes, by hash. */
  codes: ExpiringTable<CodeRecord>;
  /** Access and refresh tokens, by hash. */
  tokens: ExpiringTable<TokenRecord>;
  /** Forgets every token of a grant. */
  revokeGrant(grantId: string): Promise<void>;
}

export interface MemoryStoreOptions {
  /** Most registered clients kept; the oldest registration goes first (DCR is open to anyone). */
  maxClients?: number;
  /** Most live consent requests, codes and tokens of each kind; past it the oldest goes first. */
  maxRecords?: number;
  now?: () => number;
}

interface Expiring {
  expiresAt: number;
}

/** A Map whose records vanish at their expiry and which never grows past `max` (oldest first out). */
class ExpiringMap<V extends Expiring> {
  private readonly map = new Map<string, V>();
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.sweep();
    // Still full of live records: drop the oldest ones (insertion order).
    for (const k of this.map.keys()) {
      if (this.map.size <= this.max) break;
      this.map.delete(k);
    }
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v && v.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return v;
  }

  take(key: string): V | undefined {
    const v = this.get(key);
    this.map.delete(key);
    return v;
  }

  deleteWhere(test: (v: V) => boolean): void {
    for (const [k, v] of this.map) if (test(v)) this.map.delete(k);
  }

  sweep(): void {
    const t = this.now();
    for (const [k, v] of this.map) if (v.expiresAt <= t) this.map.delete(k);
  }
}

export function createMemoryOAuthStore(opts: MemoryStoreOptions = {}): OAuthStore & { sweep(): void } {
  const now = opts.now ?? Date.now;
  const maxRecords = opts.maxRecords ?? 100_000;
  const maxClients = opts.maxClients ?? 10_000;
  const clients = new Map<string, OAuthClientInformationFull>();
  const pending = new ExpiringMap<PendingConsent>(maxRecords, now);
  const codes = new ExpiringMap<CodeRecord>(maxRecords, now);
  const tokens = new ExpiringMap<TokenRecord>(maxRecords, now);

  return {
    clients: {
      get: async (clientId) => clients.get(clientId),
      async save(client) {
        clients.delete(client.client_id);
        clients.set(client.client_id, client);
        for (const id of clients.keys()) {
          if (clients.size <= maxClients) break;
          clients.delete(id);
        }
      },
    },
    pending: asTable(pending),
    codes: asTable(codes),
    tokens: asTable(tokens),
    async revokeGrant(grantId) {
      tokens.deleteWhere((t) => t.grantId === grantId);
    },
    sweep() {
      for (const m of [pending, codes, tokens]) m.sweep();
    },
  };
}

function asTable<V extends Expiring>(map: ExpiringMap<V>): ExpiringTable<V> {
  return {
    save: async (key, value) => map.set(key, value),
    get: async (key) => map.get(key),
    take: async (key) => map.take(key),
  };
}
