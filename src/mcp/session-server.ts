// The MCP side of a session: the SDK's low-level Server, one per session (a Server connects to one
// transport), over method handlers, the tool list and a JSON Schema validator built once per process.
// The SDK owns the protocol: initialize and version negotiation, ping, cancellation (the handler's signal
// aborts the upstream call), progress, and the error codes. The Server answers initialize and ping itself
// and hands every other request to its fallbackRequestHandler: one closure per session dispatching to the
// shared handlers, where registering each method would cost a session three closures per method and a
// tools/call two more schema passes (npm run bench prints the bytes per idle session and the CPU per call
// beside the SDK's canonical McpServer-per-session pattern, which registers every tool again on each session).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  LATEST_PROTOCOL_VERSION,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Implementation,
  type JSONRPCMessage,
  type LoggingLevel,
  type ProgressToken,
  type Result,
  type ServerCapabilities,
  type ServerNotification,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { z } from 'zod';
import type { ElevenLabsClient, ElevenLabsProvider } from '../elevenlabs/client.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { listResources, readResource } from '../output/resources.js';
import type { SessionConnector } from '../transports/session-store.js';
import { createCallReport, DEFAULT_CLIENT_LOG_LEVEL, type CallReport } from './call-report.js';
import type { ToolContext, ToolSettings } from './define-tool.js';
import type { ToolRegistry } from './tool-registry.js';

export interface SessionServerDeps {
  serverInfo: Implementation;
  instructions?: string;
  registry: ToolRegistry;
  elevenlabs: ElevenLabsProvider;
  settings: ToolSettings;
  /** PUBLIC_URL, when set: the origin of download links. */
  publicOrigin: string | undefined;
  /** The address the server listens on: the origin of last resort when a request has no usable Host. */
  listenOrigin: string;
  /** PROGRESS_INTERVAL_MS: the longest a call with a progress token stays silent. */
  progressIntervalMs: number;
  /** Counts the bytes each tool delivers; absent when /metrics is off. */
  metrics?: Metrics;
  log: Logger;
}

/** The first protocol version with the `audio` content block. */
const AUDIO_BLOCK_SINCE = '2025-03-26';

/** What a method's handler knows of its session. */
interface SessionState {
  readonly sessionId: string;
  readonly principal: string;
  audioBlock: boolean;
  /** Set by logging/setLevel: the least severe log message the client gets. */
  logLevel: LoggingLevel;
}

type Extra = {
  signal: AbortSignal;
  requestInfo?: { headers: Record<string, string | string[] | undefined> };
  _meta?: { progressToken?: ProgressToken };
  /** Sends a notification related to this request (on /mcp, on the request's own stream). */
  sendNotification(notification: ServerNotification): Promise<void>;
};

/** A Host header that can stand in a URL as it is: a name or address, an optional port, nothing else. */
const PLAIN_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Where the client reached this server: PUBLIC_URL when the operator set it, else the Host the request came
 * with (the Host guard has vetted it on a loopback bind or with ALLOWED_HOSTS), over http.
 */
function originOf(extra: Extra, deps: Pick<SessionServerDeps, 'publicOrigin' | 'listenOrigin'>): string {
  if (deps.publicOrigin) return deps.publicOrigin;
  const host = extra.requestInfo?.headers.host;
  return typeof host === 'string' && PLAIN_HOST.test(host) ? `http://${host}` : deps.listenOrigin;
}
type Handler = (request: { method: string; params?: unknown }, extra: Extra, session: SessionState) => Promise<Result>;

/**
 * A JSON-RPC error for the reply. Each handler parses its request with the SDK's schema for its method
 * (once) and answers -32602 saying what was wrong. The SDK's Protocol answers with any thrown error's
 * `code` and `message`; its McpError prefixes the message with "MCP error <code>: ", and the client
 * prefixes it again, so our own errors carry the plain message.
 */
class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<S extends z.ZodType>(schema: S, request: unknown, method: string): z.output<S> {
  const parsed = schema.safeParse(request);
  if (!parsed.success) throw new RequestError(ErrorCode.InvalidParams, `Invalid ${method} request: ${parsed.error.message}`);
  return parsed.data;
}

/** One Ajv for the process, made on first use: the SDK would build one per Server, this server never needs one. */
function lazySharedValidator(): jsonSchemaValidator {
  let ajv: AjvJsonSchemaValidator | undefined;
  return { getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema) };
}

export function createSessionServerFactory(deps: SessionServerDeps): SessionConnector {
  const capabilities: ServerCapabilities = { tools: { listChanged: false }, resources: { listChanged: false }, logging: {} };
  const basePath = deps.settings.output.basePath;
  const jsonSchemaValidator = lazySharedValidator();

  const handlers = new Map<string, Handler>([
    // The same object every time: its event is encoded once (transports/sse-transport.ts).
    ['tools/list', async (request) => (parse(ListToolsRequestSchema, request, 'tools/list'), deps.registry.listResult)],
    [
      'tools/call',
      async (request, extra, session) => {
        const { params } = parse(CallToolRequestSchema, request, 'tools/call');
        // Each made on first use: a local tool needs none of them.
        let log: Logger | undefined;
        let report: CallReport | undefined;
        let client: Promise<ElevenLabsClient> | undefined;
        const metrics = deps.metrics;
        const ctx: ToolContext = {
          // Only a tool that exists delivers output, so the name is one of ours.
          generatedBytes: metrics && ((bytes: number) => metrics.generatedBytes(params.name, bytes)),
          // The call's own client, whose requests tell its report what happens upstream.
          elevenlabs: () => (client ??= deps.elevenlabs.get(ctx.report)),
          settings: deps.settings,
          requestOptions: { abortSignal: extra.signal, timeoutInSeconds: deps.elevenlabs.timeoutSeconds },
          audioBlock: session.audioBlock,
          principal: session.principal,
          // Only tools that make a link ask.
          get publicOrigin() {
            return originOf(extra, deps);
          },
          get report() {
            return (report ??= createCallReport({
              progressToken: extra._meta?.progressToken,
              level: () => session.logLevel,
              send: extra.sendNotification,
              intervalMs: deps.progressIntervalMs,
              log: () => ctx.log,
            }));
          },
          get log() {
            return (log ??= deps.log.child({ sessionId: session.sessionId, tool: params.name }));
          },
        };
        return deps.registry.call(params.name, params.arguments, ctx);
      },
    ],
    [
      // The SDK's Server answers this itself when logging is declared, keeping levels in a map per Server keyed
      // by session id; it is removed there (see below) so the level is one field of the session, read by each
      // call's report.
      'logging/setLevel',
      async (request, _extra, session) => {
        session.logLevel = parse(SetLevelRequestSchema, request, 'logging/setLevel').params.level;
        return {};
      },
    ],
    ['resources/list', async (request) => (parse(ListResourcesRequestSchema, request, 'resources/list'), { resources: await listResources(basePath) })],
    // Part of the resources capability that clients may ask for: files are listed one by one, no templates.
    ['resources/templates/list', async (request) => (parse(ListResourceTemplatesRequestSchema, request, 'resources/templates/list'), { resourceTemplates: [] })],
    [
      'resources/read',
      async (request) => {
        const { params } = parse(ReadResourceRequestSchema, request, 'resources/read');
        try {
          return await readResource(basePath, params.uri);
        } catch (err) {
          // -32002 is the spec's "resource not found"; other failures are invalid params.
          if (err instanceof UserError) throw new RequestError(/not found/.test(err.message) ? -32002 : ErrorCode.InvalidParams, err.message);
          throw err;
        }
      },
    ],
  ]);

  /**
   * Every method the Server does not answer itself. The SDK replies with any error's message; anything but a
   * RequestError or McpError is logged and summarized instead.
   */
  const dispatch: Handler = async (request, extra, session) => {
    const handler = handlers.get(request.method);
    // What the SDK's Protocol answers for a method nobody handles.
    if (!handler) throw new RequestError(ErrorCode.MethodNotFound, 'Method not found');
    try {
      return await handler(request, extra, session);
    } catch (err) {
      if (err instanceof RequestError || err instanceof McpError) throw err;
      deps.log.error({ err, method: request.method }, 'request handler failed');
      throw new RequestError(ErrorCode.InternalError, 'Internal error');
    }
  };

  return async (transport: Transport, { sessionId, principal }) => {
    const session: SessionState = { sessionId, principal, audioBlock: false, logLevel: DEFAULT_CLIENT_LOG_LEVEL };
    const server = new Server(deps.serverInfo, { capabilities, instructions: deps.instructions, jsonSchemaValidator });
    server.removeRequestHandler('logging/setLevel');
    server.fallbackRequestHandler = (request, extra) => dispatch(request, extra, session) as Promise<ServerResult>;
    server.onerror = (err) => deps.log.debug({ err, sessionId }, 'protocol error');
    // The Server keeps the negotiated version to itself; this sees the initialize request first (Protocol
    // calls an existing onmessage before its own) and settles on the version the same way it does.
    transport.onmessage = (message: JSONRPCMessage) => {
      if ('method' in message && message.method === 'initialize' && 'id' in message) {
        const requested = (message.params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        const version = typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
        session.audioBlock = version >= AUDIO_BLOCK_SINCE;
      }
    };
    // A session that failed to start must leave nothing behind (its Redis record, say): closing the
    // transport runs the cleanup its transport set up.
    await server.connect(transport).catch(async (err: unknown) => {
      await transport.close();
      throw err;
    });
  };
}
