// Faults of the upstream and of the client, injected with the fake ElevenLabs server: every one ends in a
// clear isError result (or a clean abort upstream), never a hang, a crash or a leaked body.
import fs from 'node:fs/promises';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { useContract } from '../helpers/contract.js';
import { connectClient, TRANSPORTS } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';


describe.each(TRANSPORTS)('over /%s', (transport) => {
  const contract = useContract(transport);

  describe('upstream faults', () => {
    it.each([
      [401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } }, /rejected the API key \(401\)/],
      // The real API answers a spent quota with 401, like a bad key; detail.status tells them apart.
      [
        401,
        { detail: { status: 'quota_exceeded', message: 'This request exceeds your quota of 10000. You have 3 credits remaining.' } },
        /^Your ElevenLabs quota is exceeded \(401\): add credits or upgrade the plan\. ElevenLabs says: This request exceeds your quota of 10000\./,
      ],
      [401, { detail: { status: 'detected_unusual_activity', message: 'Unusual activity detected.' } }, /^ElevenLabs refused the request because it detected unusual activity .*\(401\)/],
      [400, { detail: { status: 'voice_not_found', message: 'A voice with that id was not found.' } }, /^Not found on ElevenLabs \(400\): check the id you passed\./],
      [404, { detail: { status: 'voice_not_found', message: 'voice missing' } }, /Not found on ElevenLabs \(404\).*voice missing/],
      [422, { detail: [{ loc: ['body', 'voice_settings', 'stability'], msg: 'Input should be less than or equal to 1' }] }, /invalid \(422\).*voice_settings\.stability: Input should be less than or equal to 1/],
      [500, { detail: 'boom RAW-BODY' }, /^ElevenLabs is unavailable \(500\)/],
      [503, { detail: 'maintenance RAW-BODY' }, /^ElevenLabs is unavailable \(503\)/],
    ])('%i is mapped to a message that names the cause', async (status, json, message) => {
      await contract.withApp({}, async ({ call, fake }) => {
        fake.failNext('POST', /^\/v1\/text-to-speech\//, { status, json });
        const r = await call('text_to_speech', { text: 'fault' });
        expect(r.isError).toBe(true);
        expect(r.text).toMatch(message);
        expect(r.text).not.toContain('RAW-BODY');
      });
    });

    it('429 with Retry-After: 0 is retried by the SDK when retries are on, and succeeds', async () => {
      await contract.withApp({ ELEVENLABS_MAX_RETRIES: '1' }, async ({ call, fake }) => {
        fake.failNext('GET', '/v1/models', { status: 429, headers: { 'Retry-After': '0' } });
        const r = await call('list_models');
        expect(r.isError).toBe(false);
        expect(fake.callsTo('GET', '/v1/models').length).toBeGreaterThanOrEqual(2);
      });
    });

    it('a response past the timeout ends in a timeout message, and the fake sees the request aborted', async () => {
      await contract.withApp({ ELEVENLABS_TIMEOUT_SECONDS: '1' }, async ({ call, fake }) => {
        const hang = fake.failNext('GET', '/v1/models', { hang: true });
        const r = await call('list_models');
        expect(r.text).toMatch(/did not answer in time/);
        expect(hang.taken).toBe(1);
        await waitFor(() => hang.aborted === 1);
      });
    });

    it('a connection reset mid-stream is an error and leaves no partial file behind', async () => {
      await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ call, fake, app }) => {
        fake.failNext('POST', /^\/v1\/text-to-speech\//, { resetMidStream: true });
        const r = await call('text_to_speech', { text: 'reset me' });
        expect(r.isError).toBe(true);
        expect(r.text).not.toMatch(/at .*\.js:\d+/); // no stack
        expect(await fs.readdir(app.basePath)).toEqual([]);
      });
    });

    // On /sse the session is its stream, so a client that goes ends it. On /mcp a dropped connection is not
    // a cancellation (the spec says so); a client that leaves ends its session with DELETE.
    it(`a client that ${transport === 'sse' ? 'disconnects' : 'ends its session'} mid-call aborts its upstream request`, async () => {
      await contract.withApp({}, async ({ app, fake }) => {
        const client = await connectClient(app.url, { transport });
        const hang = fake.failNext('GET', '/v1/models', { hang: true });
        const pending = client.callTool({ name: 'list_models', arguments: {} }).catch(() => 'closed');
        // Wait until the request is open upstream, or the client would leave before there is one to abort.
        await waitFor(() => hang.taken === 1);
        if (client.transport instanceof StreamableHTTPClientTransport) await client.transport.terminateSession();
        await client.close();
        await waitFor(() => hang.aborted === 1);
        await waitFor(() => app.app.mcp.registry.inFlight === 0);
        expect(await pending).toBe('closed');
      });
    });
  });

  describe('budgets and upstream concurrency', () => {
    it('a client over its budget of paid calls gets the wait; free tools still work', async () => {
      await contract.withApp({ CREDIT_TOOL_CALLS_PER_MINUTE: '2', ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ call }) => {
        expect((await call('text_to_speech', { text: 'one' })).isError).toBe(false);
        expect((await call('text_to_speech', { text: 'two' })).isError).toBe(false);
        const third = await call('text_to_speech', { text: 'three' });
        expect(third.isError).toBe(true);
        expect(third.text).toMatch(/may make 2 calls a minute to tools that spend credits .* Try again in \d+ s\./);
        expect((await call('list_models')).isError).toBe(false);
      });
    });

    it('with every upstream slot busy and the queue full, a call fails fast with "busy"', async () => {
      await contract.withApp({ UPSTREAM_MAX_CONCURRENCY: '1', UPSTREAM_QUEUE_LIMIT: '0' }, async ({ call, fake, app }) => {
        fake.failNext('GET', '/v1/models', { delayMs: 800 });
        const slow = call('list_models');
        await waitFor(() => app.app.mcp.registry.inFlight === 1);
        const busy = await call('check_subscription');
        expect(busy.isError).toBe(true);
        expect(busy.text).toMatch(/The server is busy: 1 ElevenLabs calls are running and 0 are waiting/);
        expect((await slow).isError).toBe(false);
      });
    });

    it('with concurrency 2 and a queue of 3, five of seven calls wait their turn and run, two get "busy"', async () => {
      await contract.withApp({ UPSTREAM_MAX_CONCURRENCY: '2', UPSTREAM_QUEUE_LIMIT: '3' }, async ({ call, fake, app }) => {
        const delayMs = 300;
        fake.failNext('GET', '/v1/models', { delayMs }, 5); // the two busy calls never reach upstream
        fake.resetPeak();
        const before = fake.callsTo('GET', '/v1/models').length;
        const started = Date.now();
        const results = await Promise.all(Array.from({ length: 7 }, () => call('list_models')));
        const elapsed = Date.now() - started;
        const ok = results.filter((r) => !r.isError);
        const busy = results.filter((r) => r.isError);
        expect(ok).toHaveLength(5);
        for (const r of ok) expect(JSON.parse(r.text)[0].id).toBe('eleven_multilingual_v2');
        expect(busy).toHaveLength(2);
        for (const r of busy) {
          expect(r.text).toBe('The server is busy: 2 ElevenLabs calls are running and 3 are waiting (UPSTREAM_QUEUE_LIMIT). Try again in a few seconds.');
        }
        expect(fake.callsTo('GET', '/v1/models').length - before, 'the busy calls never reach upstream').toBe(5);
        expect(fake.peakConcurrent, 'upstream requests open at once').toBe(2);
        // 5 calls, 2 at a time: three rounds of the upstream's delay, so the queued ones really waited.
        expect(elapsed).toBeGreaterThanOrEqual(3 * delayMs - 50);
        expect(app.app.mcp.registry.inFlight).toBe(0);
        // The queue drained: a new call gets a slot right away.
        expect((await call('list_models')).isError).toBe(false);
      });
    });
  });
});
