// The JSON-RPC rules of a session (the SDK's Server per session, src/mcp/session-server.ts), on both
// transports, checked on the wire and with the real SDK client: replies carry their request's id, unknown
// methods and malformed requests get the SDK's error codes, a cancelled call is aborted upstream and gets no
// reply, tools/list is the same bytes for every session, and a client that stops reading its /sse stream is
// cut off instead of growing the server's memory.
import net from 'node:net';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { useContract } from '../helpers/contract.js';
import { initializeMessage, openRawSession, postMessage } from '../helpers/raw-sse.js';
import { connectClient, TRANSPORTS } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

describe.each(TRANSPORTS)('over /%s', (transport) => {
  const contract = useContract(transport);

  describe('JSON-RPC rules', () => {
    it('answers ping, refuses unknown methods with -32601 and malformed requests with -32602', async () => {
      await contract.withApp({}, async ({ client }) => {
        await expect(client.ping()).resolves.toEqual({});
        await expect(client.listResourceTemplates()).resolves.toEqual({ resourceTemplates: [] });
        const unknown = client.request({ method: 'prompts/list' }, z.object({}).loose());
        await expect(unknown).rejects.toMatchObject({ code: ErrorCode.MethodNotFound });
        const malformed = client.request({ method: 'tools/call', params: { arguments: {} } } as never, z.object({}).loose());
        await expect(malformed).rejects.toBeInstanceOf(McpError);
        await expect(malformed).rejects.toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringMatching(/Invalid tools\/call request/) });
        // The session still works afterwards.
        expect((await client.listTools()).tools.length).toBe(27);
      });
    });

    it('echoes string and number ids, and answers nothing to notifications and responses', async () => {
      await contract.withApp({}, async ({ app }) => {
        const session = await openRawSession(transport, app.url, { ...initializeMessage(1, '2025-03-26'), id: 'init-1' });
        try {
          // On /messages every POST is a 202 (the SDK says "Accepted"); on /mcp a request's reply comes back
          // on its own POST, and a notification or a response gets an empty 202.
          expect(session.initStatus).toBe(transport === 'sse' ? 202 : 200);
          const empty = transport === 'sse' ? 'Accepted' : '';
          expect(await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).toMatchObject({ status: 202, body: empty });
          expect(await session.post({ jsonrpc: '2.0', id: 99, result: {} })).toMatchObject({ status: 202, body: empty }); // a stray response
          await session.post({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
          await session.reply(7);
          const replies = session.messages();
          expect(replies.map((m) => m.id)).toEqual(['init-1', 7]);
          expect((replies[0]!.result as { protocolVersion: string }).protocolVersion).toBe('2025-03-26');
        } finally {
          session.close();
        }
      });
    });

    it('serves tools/list as the same bytes for every session, equal to the registry', async () => {
      await contract.withApp({}, async ({ app }) => {
        const lists: string[] = [];
        for (const id of [1, 2]) {
          const session = await openRawSession(transport, app.url, initializeMessage(100 + id));
          await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
          await session.post({ jsonrpc: '2.0', id, method: 'tools/list' });
          const data = await session.reply(id);
          session.close();
          lists.push(data.replace(`"id":${id}`, '"id":0'));
          expect(JSON.parse(data)).toEqual({ jsonrpc: '2.0', id, result: JSON.parse(JSON.stringify(app.app.mcp.registry.listResult)) });
        }
        expect(lists[0]).toBe(lists[1]);
      });
    });
  });

  describe('cancellation', () => {
    it('notifications/cancelled aborts the upstream request, and the call gets no reply', async () => {
      await contract.withApp({}, async ({ app, fake }) => {
        const client = await connectClient(app.url, { transport });
        try {
          const hang = fake.failNext('GET', '/v1/models', { hang: true });
          const controller = new AbortController();
          const pending = client.callTool({ name: 'list_models', arguments: {} }, undefined, { signal: controller.signal });
          await waitFor(() => hang.taken === 1);
          controller.abort('changed my mind'); // the SDK client sends notifications/cancelled
          await expect(pending).rejects.toThrow();
          await waitFor(() => hang.aborted === 1);
          await waitFor(() => app.app.mcp.registry.inFlight === 0);
          // The server fails the call with the client's reason; that is the client's choice, not an internal error.
          expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
          expect(app.logs).toContainEqual(expect.objectContaining({ tool: 'list_models', msg: 'the client cancelled the call' }));
          // The session goes on: the next call is answered.
          expect((await client.listTools()).tools.length).toBe(27);
        } finally {
          await client.close();
        }
      });
    });
  });

});

describe('a client that stops reading', () => {
  const contract = useContract('sse');
  // SSE_MAX_BUFFERED_BYTES guards /sse streams, which carry every reply of a session. On /mcp each reply
  // travels on its own request's response, so what a silent client can pile up is one reply per request.
  it('on /sse is cut off once its unsent data passes the cap, and the session is removed', async () => {
    await contract.withApp({ SSE_MAX_BUFFERED_BYTES: '65536' }, async ({ app }) => {
      // A raw socket that reads the endpoint event and then stops reading.
      const { port } = new URL(app.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.write('GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
      const head = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', function onData(chunk) {
          text += chunk.toString('utf8');
          if (/sessionId=[\w-]+/.test(text)) {
            socket.off('data', onData);
            socket.pause();
            resolve(text);
          }
        });
      });
      const sessionId = /sessionId=([\w-]+)/.exec(head)![1]!;
      expect(app.app.mcp.store.get(sessionId)).toBeDefined();
      // Each ping echoes a ~100 KB id; the socket buffers fill, then the server's own buffer passes the cap.
      const bigId = 'x'.repeat(100_000);
      let status = 202;
      for (let i = 0; i < 200 && status === 202 && app.app.mcp.store.get(sessionId); i++) {
        status = (await postMessage(app.url, { sessionId, body: { jsonrpc: '2.0', id: `${bigId}${i}`, method: 'ping' } })).status;
      }
      await waitFor(() => app.app.mcp.store.get(sessionId) === undefined);
      const after = await postMessage(app.url, { sessionId, body: { jsonrpc: '2.0', id: 1, method: 'ping' } });
      expect(after.status).toBe(404);
      socket.destroy();
    });
  });
});
