// What every instance knows of the sessions all instances hold, in Redis, and the relay that carries a
// message to the instance holding a session (a POST /messages, or any /mcp request, may land anywhere).
// - A record per session, `<prefix>session:<id>` = {kind, owner, instance}, with a TTL: the instance
//   holding the session writes it again on every keep-alive, so a crashed instance's sessions expire, and
//   at once when Redis is back after an outage, so a Redis that restarted empty is filled again before a
//   request for a live session can find its record missing.
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
/**
 * For this long after this instance's connections come back, a session missing from Redis is not taken as
 * gone: Redis may have restarted empty, and the instances holding sessions reconnect within 2 s of it (the
 * retry delay in redis.ts), each writing its records and subscribing again at once. Meanwhile a request
 * for such a session gets a 503 to retry, not the 404 that would make its client start over.
 */
const SETTLING_MS = 5000;

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
  /**
   * The record of a session held by any instance; undefined when none holds it. Throws when Redis is
   * unreachable, and for a missing one while Redis is settling after an outage (see SETTLING_MS).
   */
  find(id: string): Promise<SessionRecord | undefined>;
  /**
   * Hands a payload (JSON) to the instance holding the session; false when none holds it now. Throws when
   * Redis is unreachable, or settling (as find). What goes in it is the transport's business; no credential
   * ever should.
   */
  relay(id: string, payload: object): Promise<boolean>;
  /**
   * Opens an inbox for the reply to a request about to be relayed; `onLost` hears when the connection it
   * listens on drops first (what is published meanwhile never arrives). Throws when Redis is unreachable.
   */
  openInbox(onLost: () => void, onFrame: (frame: string) => void): ReplyInbox;
  /** On the instance holding the session: a frame of a reply. False when the asking instance no longer listens. */
  sendBack(to: ReturnAddress, frame: string): Promise<boolean>;
  /** sendBack once Redis is reachable again, if it is within `withinMs`; never throws. */
  sendBackWhenUp(to: ReturnAddress, frame: string, withinMs: number): void;
  /** Writes the records of the sessions held here again with a fresh TTL (from the keep-alive). */
  refresh(): void;
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
  /**
   * Sessions held here, by channel name (the same string as the record's key): who gets their relayed
   * messages, and what their record says; `claimed` once their record is written (the keep-alive rewrites those).
   */
  const local = new Map<string, { deliver: (payload: unknown) => void; id: string; kind: SessionRecord['kind']; owner: string; claimed: boolean }>();
  /** Replies on their way here, by request number. */
  const inboxes = new Map<number, { onFrame: (frame: string) => void; onLost: () => void }>();
  let lastReply = 0;
  /** Whether Redis has confirmed this instance's own channel, since the subscriber connection last came up. */
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
  // Replies on their way are lost with the connection (Redis keeps no pub/sub message for a later one).
  subscriber.on('close', () => {
    listening = false;
    const lost = [...inboxes.values()];
    inboxes.clear();
    for (const inbox of lost) inbox.onLost();
  });

  subscriber.on('message', (channel: string, text: string) => {
    if (channel === ownInbox) {
      // "<number> <frame>"; a reply whose request has ended (the client left) finds no inbox.
      const space = text.indexOf(' ');
      inboxes.get(Number(text.slice(0, space)))?.onFrame(text.slice(space + 1));
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

  function refresh(): void {
    if (!redis.ready) return;
    let keys: string[] = [];
    let args: (string | number)[] = [];
    const send = () => {
      track(refreshScript(keys.length, ...keys, ttlMs, ...args), 'a refresh of the session records (the next keep-alive tries again)');
      keys = [];
      args = [];
    };
    for (const [key, s] of local) {
      if (!s.claimed) continue;
      keys.push(key, ownerKeyOf(s.owner));
      args.push(record(s.kind, s.owner), s.id);
      if (keys.length >= 2 * REFRESH_BATCH) send();
    }
    if (keys.length) send();
  }
  let backAt = -Infinity;
  redis.onBack(() => {
    backAt = Date.now();
    refresh();
  });
  /**
   * A session found nowhere: gone, or (during an outage or just after) not recorded again yet. One of this
   * instance's two connections may be back before the other: the outage lasts until both are.
   */
  const absent = <T>(value: T): T => {
    if (!redis.ready || Date.now() - backAt < SETTLING_MS) throw new Error('Redis is away or just back; its instance may not have recorded this session again yet');
    return value;
  };

  return {
    instance,
    async claim(id, { kind, owner }, deliver, maxPerOwner = 0) {
      const key = keyOf(id);
      // In the map before the claim, to hear what is relayed as soon as the record exists; refreshed only once claimed.
      const entry = { deliver, id, kind, owner, claimed: false };
      local.set(key, entry);
      try {
        // Both done before the client learns the id, so before anything may be relayed to it.
        const [, claimed] = await Promise.all([subscriber.subscribe(key), claimScript(key, ownerKeyOf(owner), record(kind, owner), ttlMs, id, maxPerOwner)]);
        if (claimed === 1) return (entry.claimed = true);
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
      return text ? (JSON.parse(text) as SessionRecord) : absent(undefined);
    },
    async relay(id, payload) {
      return (await commands.publish(keyOf(id), JSON.stringify(payload))) > 0 || absent(false);
    },
    openInbox(onLost, onFrame) {
      if (!listening || !redis.ready) throw new Error('not subscribed to this instance\'s reply channel');
      const reply = ++lastReply;
      inboxes.set(reply, { onFrame, onLost });
      return { address: { instance, reply }, close: () => inboxes.delete(reply) };
    },
    async sendBack(to, frame) {
      return (await commands.publish(inboxOf(to.instance), `${to.reply} ${frame}`)) > 0;
    },
    sendBackWhenUp(to, frame, withinMs) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis still unreachable after ${withinMs} ms`)), withinMs)));
      const sent = Promise.race([redis.whenReady(), gaveUp]).then(() => this.sendBack(to, frame));
      track(sent.finally(() => clearTimeout(timer)), 'a notice that a relayed reply was lost');
    },
    refresh,
    async close() {
      await Promise.all(pending);
      local.clear();
      inboxes.clear();
    },
  };
}
