// Everything about tools that does not depend on the session is built here once per process: the
// tools/list result with its JSON Schemas, the validators, and the call path. Sessions share it, which is
// what keeps an idle session small (npm run bench compares it with registering every tool on a new
// McpServer per session, the SDK's canonical pattern).
import { MemoryStore, type Store } from 'express-rate-limit';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Metrics, ToolOutcome } from '../metrics.js';
import type { CallReport } from './call-report.js';
import { annotationsFor, type ToolContext, type ToolDefinition } from './define-tool.js';
import { UserError } from '../errors.js';
import { createToolLimits, LimitError } from './tool-limits.js';
import { errorResult, toErrorResult } from './tool-result.js';

export interface ToolRegistry {
  /** The tools/list result: the same object for every call and every session. */
  readonly listResult: { tools: Tool[] };
  readonly names: readonly string[];
  call(name: string, args: unknown, ctx: ToolContext): Promise<CallToolResult>;
  /** Tool calls running right now, for graceful shutdown. */
  readonly inFlight: number;
  /** Resolves when no tool call is running. */
  idle(): Promise<void>;
}

type JsonSchema = Record<string, unknown>;

/** JSON Schema every client accepts: draft-07 shape, no $schema, optional means absent (never a null union). */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json as Tool['inputSchema'];
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'arguments';
      const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
      return missing ? `${where} is required` : `${where}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * The arguments with every top-level null replaced by what the tool says it stands for (`nullAs`), or
 * dropped: the official server's parameters default to None, so clients written for it send null for
 * "not given". The same object comes back when there is no null (the common case).
 */
export function withoutNulls(args: unknown, nullAs: Readonly<Record<string, unknown>> = {}): unknown {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return args;
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(args)) {
    if (value !== null) continue;
    out ??= { ...(args as Record<string, unknown>) };
    if (Object.hasOwn(nullAs, key)) out[key] = nullAs[key];
    else delete out[key];
  }
  return out ?? args;
}

export interface ToolRegistryOptions {
  /** Tools left out by the toolsets or read-only mode, with the message a call to one gets. */
  refused?: ReadonlyMap<string, string>;
  /** Counts each call by tool and outcome, its time, and the characters it sent to be voiced. */
  metrics?: Metrics;
  /** Counts paid calls per client (CREDIT_TOOL_CALLS_PER_MINUTE): in Redis across instances; in this process unless given. */
  creditCounter?: Store;
}

/** How a call that was allowed to run ended. */
function outcomeOf(result: CallToolResult | undefined, error: unknown, signal: AbortSignal): ToolOutcome {
  if (error instanceof LimitError) return 'refused';
  if (signal.aborted) return 'cancelled';
  return result && !result.isError ? 'ok' : 'error';
}

/** Characters of a text, as ElevenLabs counts them (code points, not UTF-16 units). */
function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function createToolRegistry(tools: readonly ToolDefinition[], config: Config, opts: ToolRegistryOptions = {}): ToolRegistry {
  const { refused = new Map<string, string>(), metrics } = opts;
  const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  const limits = createToolLimits({
    paidCallsPerMinute: config.limits.creditToolCallsPerMinute,
    concurrency: config.limits.upstreamConcurrency,
    queueLimit: config.limits.upstreamQueueLimit,
    counter: opts.creditCounter ?? new MemoryStore(),
  });
  const byName = new Map(tools.map((t) => [t.name, t]));
  const listResult = {
    tools: tools.map(
      (t): Tool => ({
        name: t.name,
        title: t.title,
        description: typeof t.description === 'function' ? t.description(config) : t.description,
        inputSchema: toJsonSchema(t.input, 'input'),
        ...(t.output && { outputSchema: toJsonSchema(t.output, 'output') as Tool['outputSchema'] }),
        annotations: annotationsFor(t.effect, t.title, t.local),
      }),
    ),
  };

  let inFlight = 0;
  let waiters: (() => void)[] = [];

  return {
    listResult,
    names: tools.map((t) => t.name),
    get inFlight() {
      return inFlight;
    },
    idle() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    async call(name, args, ctx) {
      const tool = byName.get(name);
      if (!tool) {
        const disabled = refused.get(name);
        // Only names this server knows become a label; anything else a client makes up counts as "unknown".
        metrics?.toolCall(disabled ? name : 'unknown', 'unknown_tool');
        return errorResult(disabled ?? `Unknown tool: ${name}. Call tools/list to see the tools this server offers.`);
      }
      const parsed = tool.input.safeParse(withoutNulls(args ?? {}, tool.nullAs));
      if (!parsed.success) {
        metrics?.toolCall(name, 'invalid_arguments');
        return errorResult(`Invalid arguments for ${name}: ${formatIssues(parsed.error)}`);
      }
      inFlight++;
      const started = performance.now();
      let result: CallToolResult | undefined;
      let report: CallReport | undefined;
      let error: unknown;
      try {
        if (tool.effect !== 'read') await limits.chargePaidCall(ctx.principal);
        // A local tool is done in a moment: no progress, nothing upstream to report.
        const r = (report = tool.local ? undefined : ctx.report);
        const onWait = r && ((running: number, ahead: number) => r.waiting(running, ahead));
        return (result = await limits.withUpstreamSlot(async () => {
          // The client may have cancelled (or left) while the call waited for a slot.
          if (ctx.requestOptions.abortSignal.aborted) throw new UserError(`${name} was cancelled before it started.`);
          report?.started();
          return tool.handle(parsed.data, ctx);
        }, onWait));
      } catch (err) {
        error = err;
        // A call the client cancelled fails with whatever its abort reason was (the SDK's server aborts with
        // the reason the client gave, often a plain string): that is no internal error, whatever its shape.
        if (ctx.requestOptions.abortSignal.aborted) {
          ctx.log.info('the client cancelled the call');
          return (result = errorResult(`${name} was cancelled.`));
        }
        return (result = toErrorResult(err, name, ctx.log));
      } finally {
        await report?.finish();
        const ms = performance.now() - started;
        if (metrics) {
          const outcome = outcomeOf(result, error, ctx.requestOptions.abortSignal);
          if (outcome === 'refused') metrics.refused((error as LimitError).code);
          metrics.toolCall(name, outcome, outcome === 'refused' ? undefined : ms / 1000);
          const text = outcome === 'ok' && tool.generatesFrom ? (parsed.data as Record<string, unknown>)[tool.generatesFrom] : undefined;
          if (typeof text === 'string') metrics.generatedCharacters(name, characters(text));
        }
        if (debug) ctx.log.debug({ ms: Math.round(ms), isError: result?.isError === true }, 'tool call');
        if (--inFlight === 0) {
          const w = waiters;
          waiters = [];
          for (const resolve of w) resolve();
        }
      }
    },
  };
}

