// Progress and logging during tool calls, with the SDK's client over both transports and a fake ElevenLabs that
// answers slowly and in chunks: notifications/progress (a start, ticks while ElevenLabs works, bytes received
// with the total when known) only for a request with a progressToken, all before the result; the `logging`
// capability, logging/setLevel, and what happens upstream (slot waits, answers, the SDK's retries, giving up)
// as notifications/message at each level.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  LoggingMessageNotificationSchema,
  ProgressNotificationSchema,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { textOf, TRANSPORTS, type TransportName } from '../helpers/test-app.js';
import { useUpstreamApps } from '../helpers/upstream-apps.js';
import { waitFor } from '../helpers/wait-for.js';

const INTERVAL_MS = 100;
const upstream = useUpstreamApps({ ELEVENLABS_MCP_OUTPUT_MODE: 'link', PROGRESS_INTERVAL_MS: String(INTERVAL_MS) });
const { server, client } = upstream;

const TTS = /^\/v1\/text-to-speech\//;



/** Every notifications/message the client receives, in order. */
function logsOf(c: Client): LoggingMessageNotification['params'][] {
  const seen: LoggingMessageNotification['params'][] = [];
  c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void seen.push(n.params));
  return seen;
}

const isIncreasing = (values: number[]) => values.every((v, i) => i === 0 || v > values[i - 1]!);

describe.each(TRANSPORTS)('progress over %s', (transport) => {
  it.each(['link', 'resources'])('a start, ticks while ElevenLabs has not answered, then bytes up to the total, all before the result (%s)', async (mode) => {
    // In resources mode the result follows the last chunk at once: the last notification must not be lost behind it.
    const app = await server({ ELEVENLABS_MCP_OUTPUT_MODE: mode });
    const c = await client(app.url, transport);
    // Four ticks' worth of silence before the headers, then 200 000 bytes in ten paced chunks with their length.
    upstream.fake.failNext('POST', TTS, { delayMs: 4 * INTERVAL_MS + 50 });
    const events: (Progress | 'result')[] = [];
    const call = c.callTool({ name: 'text_to_speech', arguments: { text: 'BIG:200000,chunk=20000,every=30,length' } }, undefined, {
      onprogress: (p) => void events.push(p),
    });
    const result = await call;
    events.push('result');
    expect(result.isError, textOf(result)).not.toBe(true);
    if (mode === 'link') expect(textOf(result)).toMatch(/Download link: /);

    const progress = events.filter((e): e is Progress => e !== 'result');
    expect(events.at(-1)).toBe('result');
    expect(progress[0]).toMatchObject({ progress: 0, message: 'Calling ElevenLabs' });
    expect(isIncreasing(progress.map((p) => p.progress))).toBe(true);
    // Ticks while ElevenLabs had not answered yet say how long it has been.
    const ticks = progress.filter((p) => /^Calling ElevenLabs \(\d+ s\)$/.test(p.message ?? ''));
    expect(ticks.length, JSON.stringify(progress)).toBeGreaterThanOrEqual(2);
    // Then the bytes, with the total from Content-Length, ending at the whole body (not lost behind the result).
    const bytes = progress.filter((p) => p.total !== undefined);
    expect(bytes.length, JSON.stringify(progress)).toBeGreaterThanOrEqual(2);
    expect(bytes.every((p) => p.total === 200_000)).toBe(true);
    expect(progress.at(-1)).toEqual({ progress: 200_000, total: 200_000, message: 'Received 195 KB of 195 KB from ElevenLabs' });
    const line = (p: Progress) => `  progress ${p.progress}${p.total === undefined ? '' : `/${p.total}`}: ${p.message}`;
    console.log(`${transport}, ${mode} mode, notifications/progress as the client saw them:\n${progress.map(line).join('\n')}`);
  });

  it('bytes without a total when the body has no length, and ticks through a stall', async () => {
    const app = await server();
    const c = await client(app.url, transport);
    const progress: Progress[] = [];
    // Chunks 3 intervals apart: the ticks between them keep the count growing by one.
    const result = await c.callTool({ name: 'text_to_speech', arguments: { text: `BIG:3000,chunk=1000,every=${3 * INTERVAL_MS}` } }, undefined, {
      onprogress: (p) => void progress.push(p),
    });
    expect(result.isError, textOf(result)).not.toBe(true);
    expect(progress.every((p) => p.total === undefined), JSON.stringify(progress)).toBe(true);
    expect(isIncreasing(progress.map((p) => p.progress))).toBe(true);
    expect(progress.some((p) => p.message === 'Received 1000 bytes from ElevenLabs' && p.progress > 1000 && p.progress < 2000)).toBe(true);
    expect(progress.at(-1)!.progress).toBeGreaterThanOrEqual(3000);
  });
});

describe('progress only when asked', () => {
  it('a request without a progressToken gets no progress notification; the same call with one does', async () => {
    const app = await server();
    const c = await client(app.url);
    // Replaces the client's own progress routing, so every progress notification the server sends is seen.
    const seen: unknown[] = [];
    c.setNotificationHandler(ProgressNotificationSchema, (n) => void seen.push(n.params));
    const slow = { name: 'text_to_speech', arguments: { text: 'BIG:50000,chunk=10000,every=20' } };
    upstream.fake.failNext('POST', TTS, { delayMs: 3 * INTERVAL_MS });
    const plain = await c.callTool(slow);
    expect(plain.isError, textOf(plain)).not.toBe(true);
    expect(seen).toEqual([]);

    upstream.fake.failNext('POST', TTS, { delayMs: 3 * INTERVAL_MS });
    const asked = await c.callTool({ ...slow, _meta: { progressToken: 'tok-1' } });
    expect(asked.isError, textOf(asked)).not.toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((p) => (p as { progressToken: unknown }).progressToken === 'tok-1')).toBe(true);
  });

  it('a tool that only reads this server (play_audio) sends none, even when asked', async () => {
    const app = await server({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' });
    const c = await client(app.url);
    const progress: Progress[] = [];
    const made = await c.callTool({ name: 'text_to_speech', arguments: { text: 'hello' } });
    const file = /saved as: (\S+\.mp3)/i.exec(textOf(made))?.[1];
    expect(file, textOf(made)).toBeDefined();
    const played = await c.callTool({ name: 'play_audio', arguments: { input_file_path: file } }, undefined, {
      onprogress: (p) => void progress.push(p),
    });
    expect(textOf(played)).not.toBe('');
    expect(progress).toEqual([]);
  });
});

describe('logging', () => {
  it('declares the logging capability and refuses an unknown level with -32602', async () => {
    const app = await server();
    const c = await client(app.url);
    expect(c.getServerCapabilities()?.logging).toEqual({});
    await expect(c.setLoggingLevel('debug')).resolves.toEqual({});
    await expect(c.setLoggingLevel('loud' as LoggingLevel)).rejects.toMatchObject({ code: -32602 });
  });

  /**
   * One call that meets everything worth a log message: it waits for the only upstream slot (info), ElevenLabs
   * answers 429 and the SDK retries (warning), then 503 with no retry left (error); each answer is a debug line.
   */
  async function eventfulCall(level: LoggingLevel | undefined, transport: TransportName) {
    const app = await server({ UPSTREAM_MAX_CONCURRENCY: '1', ELEVENLABS_MAX_RETRIES: '1' });
    const blocker = await client(app.url);
    const c = await client(app.url, transport);
    const logs = logsOf(c);
    if (level) await c.setLoggingLevel(level);
    upstream.fake.failNext('GET', '/v1/user/subscription', { delayMs: 300 });
    const blocking = blocker.callTool({ name: 'check_subscription', arguments: {} });
    await waitFor(() => upstream.fake.concurrent === 1);
    upstream.fake.failNext('POST', TTS, { status: 429, json: { detail: { status: 'too_many_concurrent_requests', message: 'Too many requests at once.' } } });
    upstream.fake.failNext('POST', TTS, { status: 503, json: { detail: { status: 'service_unavailable', message: 'Try later.' } } });
    const progress: Progress[] = [];
    const result = await c.callTool({ name: 'text_to_speech', arguments: { text: 'hello' } }, undefined, { onprogress: (p) => void progress.push(p) });
    await blocking;
    expect(result.isError).toBe(true);
    return { logs, progress };
  }

  const LEVELS: [LoggingLevel | undefined, LoggingLevel[]][] = [
    ['debug', ['debug', 'info', 'warning', 'error']],
    [undefined, ['info', 'warning', 'error']],
    ['warning', ['warning', 'error']],
    ['error', ['error']],
    ['emergency', []],
  ];
  it.each(LEVELS)('at level %s the client gets %j', async (level, expected) => {
    const { logs } = await eventfulCall(level, 'mcp');
    expect(new Set(logs.map((l) => l.level))).toEqual(new Set(expected));
    expect(logs.every((l) => l.logger === 'elevenlabs' && typeof l.data === 'string')).toBe(true);
  });

  it.each(TRANSPORTS)('over %s, the messages say what happened, and progress follows the wait and the retry', async (transport) => {
    const { logs, progress } = await eventfulCall('debug', transport);
    const text = logs.map((l) => `${l.level}: ${String(l.data)}`);
    expect(text).toEqual([
      'info: Waiting for a free ElevenLabs slot: 1 calls are running and 0 waiting ahead of this one (UPSTREAM_MAX_CONCURRENCY)',
      expect.stringMatching(/^info: Got an ElevenLabs slot after \d+\.\d s$/),
      expect.stringMatching(/^debug: POST \/v1\/text-to-speech\/\S+ → 429 in \d+ ms$/),
      'warning: ElevenLabs answered 429 (too_many_concurrent_requests: Too many requests at once.); retrying (retry 1 of 1)',
      expect.stringMatching(/^debug: POST \/v1\/text-to-speech\/\S+ → 503 in \d+ ms \(retry 1\)$/),
      'error: ElevenLabs answered 503 again after 1 retry; no retry left (ELEVENLABS_MAX_RETRIES=1)',
    ]);
    const phases = progress.map((p) => p.message?.replace(/ \(\d+ s\)$/, ''));
    expect([...new Set(phases)]).toEqual(['Waiting for a free ElevenLabs slot', 'Calling ElevenLabs', 'Retrying after ElevenLabs answered 429']);
  });
});
