// What every instance knows of the sessions all instances hold, in Redis, and the relay that carries a
// message to the instance holding a session (a POST /messages, or any /mcp request, may land anywhere).
// - A record per session, `<prefix>session:<id>` = {kind, owner, instance}, with a TTL: the instance
//   holding the session writes it again on every keep-alive, so a crashed instance's sessions expire, and a
//   Redis that restarted empty is filled again within one interval.
// - A sorted set per owner, `<prefix>owner:<owner>`, of the owner's session ids scored by when each record
//   expires: MAX_SESSIONS_PER_CLIENT counts it, so a client's sessions on every instance count together. The
//   claim checks and adds in one script, so instances racing cannot admit one session too many; a crashed
//   instance's entries drop out when their score passes, as its records expire.
// - A channel per session, of the same name, that only its instance subscribes to. PUBLISH answers how
//   many subscribers got the message, which is the liveness check: 0 means no instance holds the session
//   (it closed, or its instance died and Redis dropped the connection), and the POST gets 404, never a 202
//   for a message nobody will read. (modelcontextprotocol/example-remote-server relays the same way but
//   answers 202 regardless.)
// - A channel per instance, `<prefix>instance:<id>`, on which the instance holding a session sends back the
//   reply to a relayed request (Streamable HTTP answers on the request's own response). One subscription per
//   process, made at start, rather than one per request: a relayed request costs one PUBLISH, not a
//   SUBSCRIBE round trip first. Each frame starts with its request's number.
import type { Logger } from '../logger.js';
import { redisScript, type RedisConnection } from './redis.js';

// Redis's clock in ms, so that instances whose clocks differ still agree on what has expired.
const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: record, owner's set. ARGV: record JSON, TTL ms, session id, most sessions per owner (0: no cap).
// Returns 0 when the owner holds as many as it may, 1 once claimed.
const CLAIM = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local cap = tonumber(ARGV[4])
if cap > 0 and redis.call('ZCARD', KEYS[2]) >= cap then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

// KEYS: record and owner's set of each session, in pairs. ARGV: TTL ms, then record JSON and id of each.
const REFRESH = `${NOW_MS}
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS, 2 do
  redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ttl)
  redis.call('ZADD', KEYS[i + 1], now + ttl, ARGV[i + 2])
  redis.call('PEXPIRE', KEYS[i + 1], ttl)
end`;
/** Sessions refreshed per script call, so that one call never holds Redis for long. */
const REFRESH_BATCH = 500;

export interface SessionRecord {
  kind: 'sse' | 'http';
  /** Who opened it: a token id, or a client address when auth is off. */
  owner: string;
  /** The instance holding its stream. */
  instance: string;
}

/** Where the frames of a reply go: the asking instance, and its number for the request. */
export interface ReturnAddress {
  instance: string;
  reply: number;
}

/** Frames of one relayed request's reply arrive here, on the instance that relayed it, until close(). */
export interface ReplyInbox {
  readonly address: ReturnAddress;
  close(): void;
}

export interface SharedSessions {
  /** This instance's id, random per process. */
  readonly instance: string;
  /**
   * Records a session this instance holds and subscribes to its channel; messages relayed to it go to
   * `deliver`. False, with nothing recorded, when its owner already holds `maxPerOwner` sessions on all
   * instances together. Throws when Redis is unreachable: the session must not start without it.
   */
  claim(id: string, record: Omit<SessionRecord, 'instance'>, deliver: (payload: unknown) => void, maxPerOwner?: number): Promise<boolean>;
  /** Forgets a session this instance held (its record and its channel). Never throws. */
  release(id: string): void;
  /** The record of a session held by any instance; undefined when none holds it. Throws when Redis is unreachable. */
  find(id: string): Promise<SessionRecord | undefined>;
  /**
   * Hands a payload (JSON) to the instance holding the session; false when none holds it now. Throws when
   * Redis is unreachable. What goes in it is the transport's business; no credential ever should.
   */
  relay(id: string, payload: object): Promise<boolean>;
  /** Opens an inbox for the reply to a request about to be relayed. Throws when Redis is unreachable. */
  openInbox(onFrame: (frame: string) => void): ReplyInbox;
  /** On the instance holding the session: a frame of a reply. False when the asking instance no longer listens. */
  sendBack(to: ReturnAddress, frame: string): Promise<boolean>;
  /** Writes the records of these sessions again with a fresh TTL, those claimed here only (from the keep-alive). */
  refresh(sessions: Iterable<{ id: string; kind: SessionRecord['kind']; owner: string }>): void;
  /** Waits for the releases still on their way, then stops listening. */
  close(): Promise<void>;
}

export function createSharedSessions(redis: RedisConnection, opts: { keyPrefix: string; ttlSeconds: number; instance: string; log: Logger }): SharedSessions {
  const { commands, subscriber } = redis;
  const { instance, log } = opts;
  const ttlMs = opts.ttlSeconds * 1000;
  const keyOf = (id: string) => `${opts.keyPrefix}session:${id}`;
  const ownerKeyOf = (owner: string) => `${opts.keyPrefix}owner:${owner}`;
  const claimScript = redisScript(commands, 'elevenlabsMcpClaimSession', 2, CLAIM);
  // Its keys vary in number, so their count is its first argument.
  const refreshScript = redisScript(commands, 'elevenlabsMcpRefreshSessions', undefined, REFRESH);
  const inboxOf = (of: string) => `${opts.keyPrefix}instance:${of}`;
  const ownInbox = inboxOf(instance);
  const record = (kind: SessionRecord['kind'], owner: string) => JSON.stringify({ kind, owner, instance } satisfies SessionRecord);
  /** Sessions held here, by channel name (the same string as the record's key): who gets their relayed messages, and their owner. */
  const local = new Map<string, { deliver: (payload: unknown) => void; owner: string; id: string }>();
  /** Replies on their way here, by request number. */
  const inboxes = new Map<number, (frame: string) => void>();
  let lastReply = 0;
  /** Whether Redis has confirmed this instance's own channel (ioredis keeps it across reconnects). */
  let listening = false;
  /** Releases and refreshes on their way, which nobody waits for but close(). */
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>, what: string) => {
    const settled = p.catch((err: Error) => log.debug({ reason: err.message }, `Redis: ${what} did not complete`));
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };

  // Subscribed as soon as the connection is up, and again whenever it comes back (a second SUBSCRIBE to
  // the same channel is a no-op), since the first attempt fails while Redis is down at start.
  const listen = () => {
    if (subscriber.status !== 'ready') return;
    subscriber.subscribe(ownInbox).then(
      () => (listening = true),
      () => {},
    );
  };
  subscriber.on('ready', listen);
  listen();

  subscriber.on('message', (channel: string, text: string) => {
    if (channel === ownInbox) {
      // "<number> <frame>"; a reply whose request has ended (the client left) finds no inbox.
      const space = text.indexOf(' ');
      inboxes.get(Number(text.slice(0, space)))?.(text.slice(space + 1));
      return;
    }
    const deliver = local.get(channel)?.deliver;
    // A channel ioredis subscribed again after a reconnect, for a session that closed while Redis was away.
    if (!deliver) return void subscriber.unsubscribe(channel).catch(() => {});
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return log.warn({ channel }, 'Redis relay: a message that is not JSON was dropped');
    }
    deliver(payload);
  });

  return {
    instance,
    async claim(id, { kind, owner }, deliver, maxPerOwner = 0) {
      const key = keyOf(id);
      local.set(key, { deliver, owner, id });
      try {
        // Both done before the client learns the id, so before anything may be relayed to it.
        const [, claimed] = await Promise.all([subscriber.subscribe(key), claimScript(key, ownerKeyOf(owner), record(kind, owner), ttlMs, id, maxPerOwner)]);
        if (claimed === 1) return true;
      } catch (err) {
        local.delete(key);
        void subscriber.unsubscribe(key).catch(() => {});
        throw err;
      }
      local.delete(key);
      void subscriber.unsubscribe(key).catch(() => {});
      return false;
    },
    release(id) {
      const key = keyOf(id);
      const held = local.get(key);
      if (!held) return;
      local.delete(key);
      const gone = commands.pipeline().del(key).zrem(ownerKeyOf(held.owner), id).exec();
      track(Promise.all([gone, subscriber.unsubscribe(key)]), 'a session release (its record expires by itself)');
    },
    async find(id) {
      const text = await commands.get(keyOf(id));
      return text ? (JSON.parse(text) as SessionRecord) : undefined;
    },
    async relay(id, payload) {
      return (await commands.publish(keyOf(id), JSON.stringify(payload))) > 0;
    },
    openInbox(onFrame) {
      if (!listening || !redis.ready) throw new Error('not subscribed to this instance\'s reply channel');
      const reply = ++lastReply;
      inboxes.set(reply, onFrame);
      return { address: { instance, reply }, close: () => inboxes.delete(reply) };
    },
    async sendBack(to, frame) {
      return (await commands.publish(inboxOf(to.instance), `${to.reply} ${frame}`)) > 0;
    },
    refresh(sessions) {
      if (!redis.ready) return;
      let keys: string[] = [];
      let args: (string | number)[] = [];
      const send = () => {
        track(refreshScript(keys.length, ...keys, ttlMs, ...args), 'a refresh of the session records (the next keep-alive tries again)');
        keys = [];
        args = [];
      };
      for (const s of sessions) {
        const key = keyOf(s.id);
        if (!local.has(key)) continue; // a session that never claimed a record (or has released it)
        keys.push(key, ownerKeyOf(s.owner));
        args.push(record(s.kind, s.owner), s.id);
        if (keys.length >= 2 * REFRESH_BATCH) send();
      }
      if (keys.length) send();
    },
    async close() {
      await Promise.all(pending);
      local.clear();
      inboxes.clear();
    },
  };
}
