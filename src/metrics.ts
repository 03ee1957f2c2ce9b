// What GET /metrics reports, on prom-client. Each app has a registry of its own (tests make many apps in one
// process, and each must count only its own calls); the default process metrics live in one registry per
// process, made on first use, because prom-client's collector starts an event-loop monitor and a GC observer
// each time it runs and never stops them. The rest of the server calls the small methods below and knows
// nothing of prom-client. Every label takes its values from a closed set (route patterns, tool names, status
// codes, refusal codes), never from what a client sends, so no request can grow the registry.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

/**
 * prom-client, loaded by the first createMetrics: a server whose /metrics is off (MCP_AUTH_TOKENS without
 * METRICS_TOKEN) never loads it, and loading it takes about 50 ms of start-up.
 */
let promClient: typeof PromClient | undefined;
const loadPromClient = () => (promClient ??= createRequire(import.meta.url)('prom-client') as typeof PromClient);

/** How a tool call ended. */
export type ToolOutcome = 'ok' | 'error' | 'cancelled' | 'invalid_arguments' | 'refused' | 'unknown_tool';

/** An upstream request that got no answer: the call was cancelled or timed out, or the network failed. */
export type UpstreamFailure = 'aborted' | 'network_error';

export interface Metrics {
  /** The Prometheus text of both registries, and its Content-Type. */
  scrape(): Promise<{ contentType: string; text: string }>;
  /** One HTTP request finished (or its client left): route pattern, method, status. */
  httpRequest(route: string, method: string, status: number): void;
  toolCall(tool: string, outcome: ToolOutcome, seconds?: number): void;
  /** Characters of text a successful call sent ElevenLabs to generate from (what text-to-speech bills). */
  generatedCharacters(tool: string, characters: number): void;
  /** Bytes of output (audio, transcripts) a call delivered. */
  generatedBytes(tool: string, bytes: number): void;
  upstreamAnswer(status: number | UpstreamFailure): void;
  /** A request or call refused by a rate limit or a cap; `reason` is the refusal's code. */
  refused(reason: string): void;
  /** A request for a session another instance holds: handed over through Redis, held by none, or left unanswered. */
  relayed(transport: 'sse' | 'mcp', outcome: RelayOutcome): void;
}

/**
 * no_session: no instance held it (answered 404); silent: its holder stopped answering mid-reply (504 or a cut
 * stream); store_lost: the connection to Redis dropped mid-reply (503 or a cut stream).
 */
export type RelayOutcome = 'delivered' | 'no_session' | 'silent' | 'store_lost';

/** What the gauges read when scraped. */
export interface MetricsSources {
  /** Open sessions by transport. */
  sessions(): Record<'sse' | 'streamable_http', number>;
  toolCallsInFlight(): number;
}

const PREFIX = 'elevenlabs_mcp_';
/** Tool calls take from a few milliseconds (a listing) to minutes (music). */
const TOOL_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

let processRegistry: PromClient.Registry | undefined;

function processMetrics({ Registry, collectDefaultMetrics }: typeof PromClient): PromClient.Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const prom = loadPromClient();
  const { Counter, Gauge, Histogram, Registry } = prom;
  const shared = processMetrics(prom);
  const registry = new Registry();
  const registers = [registry];
  new Gauge({
    name: `${PREFIX}sessions_open`,
    help: 'Open MCP sessions, by transport (sse: GET /sse + POST /messages; streamable_http: /mcp).',
    labelNames: ['transport'],
    registers,
    collect() {
      for (const [transport, n] of Object.entries(sources.sessions())) this.set({ transport }, n);
    },
  });
  new Gauge({
    name: `${PREFIX}tool_calls_in_flight`,
    help: 'Tool calls running now, including those waiting for an upstream slot.',
    registers,
    collect() {
      this.set(sources.toolCallsInFlight());
    },
  });
  // The two counters every request or call moves are kept as plain numbers and handed to prom-client when
  // scraped: a Map lookup per label, where prom-client would build and hash a label key each time.
  const requests = new Tally();
  new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests by route pattern, method and status (a stream counts when it ends; status 0: the client left before an answer).',
    labelNames: ['route', 'method', 'status'],
    registers,
    collect() {
      this.reset();
      for (const [route, method, status, n] of requests.entries()) this.inc({ route, method, status }, n);
    },
  });
  const toolCalls = new Tally();
  new Counter({
    name: `${PREFIX}tool_calls_total`,
    help: 'Tool calls by tool and outcome (ok, error, cancelled, invalid_arguments, refused, unknown_tool).',
    labelNames: ['tool', 'outcome'],
    registers,
    collect() {
      this.reset();
      for (const [tool, outcome, , n] of toolCalls.entries()) this.inc({ tool, outcome }, n);
    },
  });
  const toolSeconds = new Histogram({
    name: `${PREFIX}tool_call_duration_seconds`,
    help: 'Time from a tool call passing validation to its result, including any wait for an upstream slot.',
    labelNames: ['tool'],
    buckets: TOOL_SECONDS_BUCKETS,
    registers,
  });
  /** A counter with one label, moved by whatever happens rarely enough (once per call or answer) to pay prom-client's own label work. */
  const counter = (name: string, help: string, ...labelNames: string[]) => new Counter({ name: PREFIX + name, help, labelNames, registers });
  const characters = counter('generated_characters_total', 'Characters of text that successful calls sent ElevenLabs to turn into audio, by tool.', 'tool');
  const bytes = counter('generated_bytes_total', 'Bytes of output (audio, transcripts) delivered by tool calls, by tool.', 'tool');
  const upstream = counter(
    'upstream_responses_total',
    'Answers from the ElevenLabs API by HTTP status, retries included (aborted: cancelled or timed out; network_error: no answer).',
    'status',
  );
  const refusals = counter('refusals_total', 'Requests and tool calls refused by a rate limit, a cap or an unreachable session store, by refusal code.', 'reason');
  const relays = counter(
    'relayed_messages_total',
    'Requests for a session another instance holds (REDIS_URL: POST /messages, and any /mcp request), by transport: delivered through Redis, no_session when no instance held it (answered 404), silent when its holder stopped answering mid-reply.',
    'transport',
    'outcome',
  );

  return {
    async scrape() {
      const own = await registry.metrics();
      const ofProcess = await shared.metrics();
      return { contentType: registry.contentType, text: `${own}\n${ofProcess}` };
    },
    httpRequest: (route, method, status) => requests.add(route, method, status),
    toolCall(tool, outcome, seconds) {
      toolCalls.add(tool, outcome, 0);
      if (seconds !== undefined) toolSeconds.observe({ tool }, seconds);
    },
    generatedCharacters: (tool, n) => characters.inc({ tool }, n),
    generatedBytes: (tool, n) => bytes.inc({ tool }, n),
    upstreamAnswer: (status) => upstream.inc({ status }),
    refused: (reason) => refusals.inc({ reason }),
    relayed: (transport, outcome) => relays.inc({ transport, outcome }),
  };
}

/** Counts by up to three label values, in nested Maps: adding one allocates nothing once its labels were seen. */
class Tally {
  private readonly counts = new Map<string, Map<string, Map<number, number>>>();

  add(a: string, b: string, c: number): void {
    let byB = this.counts.get(a);
    if (!byB) this.counts.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (!byC) byB.set(b, (byC = new Map()));
    byC.set(c, (byC.get(c) ?? 0) + 1);
  }

  *entries(): Generator<[string, string, number, number]> {
    for (const [a, byB] of this.counts) for (const [b, byC] of byB) for (const [c, n] of byC) yield [a, b, c, n];
  }
}
