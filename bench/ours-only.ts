// The measurements only OURS gets, each on a fresh process: RSS and keep-alive punctuality with 10,000
// idle sessions, and the peak memory of a 50 MB text_to_speech in each output mode (files and link stream it
// to disk; resources must hold the audio and its base64 text, and its row states that bound). Also, in this
// process, the cost of the ElevenLabs client each upstream tool call gets (elevenlabs/client.ts).
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createElevenLabsProvider } from '../src/elevenlabs/client.js';
import { openInitialized, openMany, postAgent, type BenchSession } from './load.js';
import * as measure from './scenarios.js';
import { memory, settledRss, type Running } from './servers.js';

type Start = (env?: Record<string, string>) => Promise<Running>;

/** µs to make the ElevenLabs client of one tool call (with its observing fetch), once the SDK is loaded. */
export async function perCallClientUs(n = 20_000): Promise<number> {
  const provider = createElevenLabsProvider({
    apiKey: 'bench-key',
    baseUrl: 'http://127.0.0.1:9',
    residency: 'us',
    timeoutSeconds: 60,
    maxRetries: 2,
    defaultVoiceId: 'v',
  });
  const observer = { answered: () => {} };
  // The SDK's sub-clients are made on first use; text_to_speech's is what most calls touch.
  const made: unknown[] = [];
  const makeOne = async () => void made.push((await provider.get(observer)).textToSpeech);
  for (let i = 0; i < 2000; i++) await makeOne();
  made.length = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await makeOne();
  const us = ((performance.now() - t0) * 1000) / n;
  made.length = 0;
  return us;
}

export async function heartbeatRun(startOurs: Start, intervalMs = 2000, sessions = 10_000) {
  const server = await startOurs({ SSE_KEEPALIVE_MS: String(intervalMs) });
  const pid = server.child.pid!;
  const agent = postAgent();
  const held: BenchSession[] = [];
  try {
    const r = await openMany(server.port, agent, held, sessions, { concurrency: 32, deadlineMs: 90_000, trackKeepalives: true });
    if (r.failures) process.stderr.write(`  ${r.failures} session opens failed (first: ${r.firstError})\n`);
    const rss = await settledRss(pid, 5000);
    return { ...(await measure.heartbeat(held, intervalMs)), rss };
  } finally {
    await server.stop(); // the server closes first, so the client's ports are not left in TIME_WAIT
    for (const s of held) void s.close({ abandon: true });
    agent.destroy();
  }
}

/**
 * Writing 5 to /proc/<pid>/clear_refs resets VmHWM to the current VmRSS (Linux 4.0+); true when it did.
 * Needs the same rights as ptrace; without them the measurement falls back to a VmHWM that includes
 * everything since the process started.
 */
function resetHwm(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh process; a small call first loads the ElevenLabs SDK. `growth` is the call's own peak: VmHWM is
 * reset just before the call, then growth = VmHWM after − VmRSS before. Where the reset is not allowed,
 * VmHWM counts since the process started and so also holds earlier peaks (start, the SDK's loading, the
 * collections after the warm-up): `priorGrowth` = VmHWM − VmRSS just before the call says how much.
 */
export type BigTtsMode = 'files' | 'link' | 'resources';

export async function bigTts(startOurs: Start, baseDir: string, mode: BigTtsMode, size = 50 * 1024 * 1024) {
  // A directory of its own per run, so the size check sees this run's output only.
  const outDir = fs.mkdtempSync(path.join(baseDir, `tts-${mode}-`));
  const server = await startOurs({ ELEVENLABS_MCP_OUTPUT_MODE: mode, ELEVENLABS_MCP_BASE_PATH: outDir, LINK_DIR: path.join(outDir, 'links') });
  const pid = server.child.pid!;
  const agent = postAgent();
  const { session } = await openInitialized(server.port, agent);
  try {
    const warm = await session.rpc('tools/call', { name: 'text_to_speech', arguments: { text: 'warm-up' } }, 30_000);
    if (warm.reply.result?.isError) throw new Error(`warm-up text_to_speech failed: ${JSON.stringify(warm.reply)}`);
    await settledRss(pid);
    const prior = memory(pid);
    const hwmReset = resetHwm(pid);
    const r = await measure.peakDuring(pid, session, 'tools/call', { name: 'text_to_speech', arguments: { text: `BIG:${size}` } }, 120_000);
    // Without a reset, VmHWM still counts the peaks from before the call.
    const before = hwmReset ? r.before : { ...r.before, hwm: Math.max(prior.hwm, r.before.hwm) };
    const after = hwmReset ? r.after : { ...r.after, hwm: Math.max(prior.hwm, r.after.hwm) };
    const files = fs.readdirSync(outDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const fileBytes = Math.max(0, ...files.map((e) => fs.statSync(path.join(e.parentPath, e.name)).size));
    // In resources mode nothing is written: the output is the base64 blob in the reply.
    const blob = (r.reply.result?.content as { resource?: { blob?: string } }[] | undefined)?.find((c) => c.resource?.blob)?.resource?.blob;
    const outputBytes = mode === 'resources' ? (blob ? Buffer.byteLength(blob, 'base64') : 0) : fileBytes;
    const ok = r.reply.result?.isError !== true && outputBytes === size;
    return {
      growth: after.hwm - before.rss,
      sampledGrowth: r.sampledMax - before.rss,
      priorGrowth: prior.hwm - prior.rss,
      hwmReset,
      mode,
      outputBytes,
      ms: r.ms,
      ok,
      before,
      after,
    };
  } finally {
    await session.close();
    await server.stop();
    agent.destroy();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
