// The SSE stream and the session store on their own, over a real loopback socket: a stream reports its
// close exactly once however it ends, and the store forgets a session exactly once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemorySessionStore } from '../../src/transports/session-store.js';
import { createMessageSerializer, SseStream } from '../../src/transports/sse-stream.js';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server whose every GET opens an SseStream; resolves with the first stream and the client's request. */
async function openStream(): Promise<{ stream: SseStream; closes: () => number; client: http.ClientRequest; received: () => string }> {
  let closes = 0;
  let resolveStream!: (s: SseStream) => void;
  const streamReady = new Promise<SseStream>((r) => (resolveStream = r));
  server = http.createServer((_req, res) => {
    const stream = new SseStream('/messages', res, createMessageSerializer([]), 1024 * 1024);
    stream.onclose = () => closes++;
    stream.start({ 'Mcp-Session-Id': stream.sessionId });
    resolveStream(stream);
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

describe('SseStream', () => {
  it('fires onclose once when the server closes it, although the socket closes afterwards too', async () => {
    const { stream, closes } = await openStream();
    stream.close();
    stream.close();
    await settle();
    expect(closes()).toBe(1);
    expect(() => stream.send({ jsonrpc: '2.0', id: 1, result: {} })).toThrow(/Not connected/);
  });

  it('fires onclose once when the client goes away', async () => {
    const { stream, closes, client } = await openStream();
    client.destroy();
    await settle();
    stream.close();
    expect(closes()).toBe(1);
  });

  it('writes the endpoint event first, then one message event per message, constants byte for byte as JSON.stringify', async () => {
    const constant = { tools: [{ name: 'x', description: 'ünïcode ⚠️' }] };
    const serializer = createMessageSerializer([constant]);
    const plain = serializer.frame({ jsonrpc: '2.0', id: 'a', result: { other: true } });
    expect(plain).toBe(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 'a', result: { other: true } })}\n\n`);
    const built = serializer.frame({ result: constant, jsonrpc: '2.0', id: 7 });
    expect(Array.isArray(built)).toBe(true);
    const [head, tail] = built as [Buffer, string];
    expect(head.toString('utf8') + tail).toBe(`event: message\ndata: ${JSON.stringify({ result: constant, jsonrpc: '2.0', id: 7 })}\n\n`);

    const { stream, received } = await openStream();
    stream.send({ jsonrpc: '2.0', id: 1, result: {} });
    await settle();
    expect(received()).toBe(`event: endpoint\ndata: /messages?sessionId=${stream.sessionId}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n`);
  });
});

describe('session store', () => {
  it('removes a session exactly once and keeps the per-owner counts right', () => {
    const store = createMemorySessionStore();
    const session = (id: string, owner: string) => ({ id, owner, stream: {} as never, deliver: () => {}, close: async () => {} });
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
