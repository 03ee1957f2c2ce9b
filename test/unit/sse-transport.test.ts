// The SDK's SSE transport as extended here, and the session store, on their own over a real loopback socket:
// a closed transport refuses to send, constants are written byte for byte as the SDK would write them, and
// the store forgets a session exactly once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemorySessionStore } from '../../src/transports/session-store.js';
import { constantFrames, StreamSseTransport } from '../../src/transports/sse-transport.js';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server whose every GET opens a transport; resolves with the first one and the client's request. */
async function openStream(
  constants: object[] = [],
  maxBufferedBytes = 1024 * 1024,
): Promise<{ stream: StreamSseTransport; closes: () => number; client: http.ClientRequest; received: () => string }> {
  let closes = 0;
  let resolveStream!: (s: StreamSseTransport) => void;
  const streamReady = new Promise<StreamSseTransport>((r) => (resolveStream = r));
  server = http.createServer((_req, res) => {
    const stream = new StreamSseTransport('/messages', res, constantFrames(constants), maxBufferedBytes);
    stream.onclose = () => closes++;
    void stream.start().then(() => resolveStream(stream));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  let text = '';
  const client = http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('error', () => {});
  });
  client.on('error', () => {});
  const stream = await streamReady;
  return { stream, closes: () => closes, client, received: () => text };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('StreamSseTransport', () => {
  it('refuses to send once closed by the server, and reports the close (the cleanup it calls must be idempotent)', async () => {
    const { stream, closes } = await openStream();
    await stream.close();
    await settle();
    expect(closes()).toBeGreaterThanOrEqual(1);
    expect(stream.closed).toBe(true);
    await expect(stream.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toThrow(/Not connected/);
  });

  it('reports the close when the client goes away', async () => {
    const { stream, closes, client } = await openStream();
    client.destroy();
    await settle();
    expect(closes()).toBe(1);
    expect(stream.closed).toBe(true);
  });

  it('writes the endpoint event first, then one message event per message, constants byte for byte as the SDK would', async () => {
    const constant = { tools: [{ name: 'x', description: 'ünïcode ⚠️' }] };
    const frames = constantFrames([constant]);
    expect(frames.head({ jsonrpc: '2.0', id: 'a', result: { other: true } })).toBeUndefined();
    const { stream, received } = await openStream([constant]);
    await stream.send({ jsonrpc: '2.0', id: 1, result: {} });
    await stream.send({ result: constant, jsonrpc: '2.0', id: 7 } as never);
    await settle();
    expect(received()).toBe(
      `event: endpoint\ndata: /messages?sessionId=${stream.sessionId}\n\n` +
        `event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n` +
        `event: message\ndata: ${JSON.stringify({ result: constant, jsonrpc: '2.0', id: 7 })}\n\n`,
    );
  });

  it('cuts a stream whose unsent data passes the cap instead of buffering without bound', async () => {
    const { stream, client } = await openStream([], 64 * 1024);
    client.socket?.pause(); // the client stops reading
    const big = { jsonrpc: '2.0' as const, id: 1, result: { pad: 'x'.repeat(256 * 1024) } };
    let error: unknown;
    for (let i = 0; i < 200 && !error; i++) await stream.send(big).catch((e: unknown) => (error = e));
    expect(String(error)).toMatch(/stopped reading/);
    await settle();
    expect(stream.closed).toBe(true);
  });
});

describe('session store', () => {
  it('removes a session exactly once and keeps the per-owner counts right', () => {
    const store = createMemorySessionStore();
    const session = (id: string, owner: string) => ({ kind: 'sse' as const, id, owner, transport: {} as never, close: async () => {} });
    store.add(session('a', 'alice'));
    store.add(session('b', 'alice'));
    store.add(session('c', 'bob'));
    expect([store.size, store.countOwnedBy('alice'), store.countOwnedBy('bob')]).toEqual([3, 2, 1]);
    expect(store.remove('a')).toBe(true);
    expect(store.remove('a')).toBe(false);
    expect(store.remove('nope')).toBe(false);
    expect([store.size, store.countOwnedBy('alice'), store.countOwnedBy('bob')]).toEqual([2, 1, 1]);
    expect(store.remove('b')).toBe(true);
    expect(store.countOwnedBy('alice')).toBe(0);
  });
});
