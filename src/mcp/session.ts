// The MCP side of one session: a small JSON-RPC dispatcher over method handlers built once per process.
// A session holds its negotiated version, the abort controllers of its running calls and one closure, so an
// idle session costs a few KB (npm run bench prints the bytes per session beside the SDK's canonical
// McpServer-per-session pattern). The SDK stays the protocol's source of truth: every
// message was checked against its JSONRPCMessageSchema by the transport, every request is parsed with the
// SDK's schema for its method, and errors are the SDK's McpError codes. The rules kept from the SDK's
// Protocol class: a reply carries the request's id; a cancelled or disconnected call is aborted and
// gets no reply; an unknown method is -32601; a malformed request is -32602.
import {
  CallToolRequestSchema,
  CancelledNotificationSchema,
  ErrorCode,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Implementation,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
  type Result,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { SessionConnector } from '../transports/legacy-sse.js';
import type { ElevenLabsProvider } from '../elevenlabs/client.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { listResources, readResource } from '../output/resources.js';
import type { ToolSettings } from './define-tool.js';
import type { ToolRegistry } from './tool-registry.js';

export interface McpSessionDeps {
  serverInfo: Implementation;
  instructions?: string;
  registry: ToolRegistry;
  elevenlabs: ElevenLabsProvider;
  settings: ToolSettings;
  log: Logger;
}


/** The first protocol version with the `audio` content block. */
const AUDIO_BLOCK_SINCE = '2025-03-26';

/** What a method's handler knows of its session. */
interface SessionState {
  readonly sessionId: string;
  readonly principal: string;
  audioBlock: boolean;
}

interface Method {
  handle(request: JSONRPCRequest, session: SessionState, signal: AbortSignal | undefined): Promise<Result>;
  /** Whether it can run long enough to be worth cancelling (an AbortController per call costs a little). */
  cancellable?: boolean;
}

/** Parses a request with the SDK's schema for its method; a malformed one is the client's error (-32602). */
function parse<S extends z.ZodType>(schema: S, request: JSONRPCRequest): z.output<S> {
  const parsed = schema.safeParse(request);
  if (!parsed.success) throw new McpError(ErrorCode.InvalidParams, `Invalid ${request.method} request: ${parsed.error.message}`);
  return parsed.data;
}

/** Connects a dispatcher to each new session's transport (already validated messages in, replies out). */
export function createMcpSessionFactory(deps: McpSessionDeps): SessionConnector {
  const capabilities = { tools: { listChanged: false }, resources: { listChanged: false } };
  const basePath = deps.settings.output.basePath;
  const elevenlabs = () => deps.elevenlabs.get();
  const neverAborted = new AbortController().signal;

  const methods = new Map<string, Method>([
    [
      'initialize',
      {
        async handle(request, session) {
          const requested = parse(InitializeRequestSchema, request).params.protocolVersion;
          const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
          session.audioBlock = protocolVersion >= AUDIO_BLOCK_SINCE;
          return { protocolVersion, capabilities, serverInfo: deps.serverInfo, ...(deps.instructions && { instructions: deps.instructions }) };
        },
      },
    ],
    [
      'ping',
      {
        async handle(request) {
          parse(PingRequestSchema, request);
          return {};
        },
      },
    ],
    [
      'tools/list',
      {
        async handle(request) {
          parse(ListToolsRequestSchema, request);
          return deps.registry.listResult; // the same object every time: its JSON is made once (sse-stream.ts)
        },
      },
    ],
    [
      'tools/call',
      {
        cancellable: true,
        async handle(request, session, signal) {
          const { params } = parse(CallToolRequestSchema, request);
          let log: Logger | undefined;
          return deps.registry.call(params.name, params.arguments, {
            elevenlabs,
            settings: deps.settings,
            requestOptions: { abortSignal: signal ?? neverAborted, timeoutInSeconds: deps.elevenlabs.timeoutSeconds },
            audioBlock: session.audioBlock,
            principal: session.principal,
            // Made on first use: most calls log nothing at the default level.
            get log() {
              return (log ??= deps.log.child({ sessionId: session.sessionId, tool: params.name }));
            },
          });
        },
      },
    ],
    [
      'resources/list',
      {
        async handle(request) {
          parse(ListResourcesRequestSchema, request);
          return { resources: await listResources(basePath) };
        },
      },
    ],
    [
      // Part of the resources capability that clients may ask for: files are listed one by one, no templates.
      'resources/templates/list',
      {
        async handle(request) {
          parse(ListResourceTemplatesRequestSchema, request);
          return { resourceTemplates: [] };
        },
      },
    ],
    [
      'resources/read',
      {
        async handle(request) {
          const { params } = parse(ReadResourceRequestSchema, request);
          try {
            return await readResource(basePath, params.uri);
          } catch (err) {
            // -32002 is the spec's "resource not found"; other failures are invalid params.
            if (err instanceof UserError) throw new McpError(/not found/.test(err.message) ? -32002 : ErrorCode.InvalidParams, err.message);
            throw err;
          }
        },
      },
    ],
  ]);

  /** The error reply for a failed request: McpError as the SDK sends it, anything else without its details. */
  function errorReply(id: RequestId, method: string, err: unknown): JSONRPCMessage {
    if (err instanceof McpError) {
      return { jsonrpc: '2.0', id, error: { code: err.code, message: err.message, ...(err.data !== undefined && { data: err.data }) } };
    }
    deps.log.error({ err, method }, 'request handler failed');
    return { jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message: 'Internal error' } };
  }

  return async (transport, { sessionId, principal }) => {
    const session: SessionState = { sessionId, principal, audioBlock: false };
    /** Cancellable calls still running, by request id; made on the first one. */
    let running: Map<RequestId, AbortController> | undefined;
    let closed = false;

    const ignore = () => {}; // the stream went away: there is nobody to tell
    const reply = (message: JSONRPCMessage) => {
      if (!closed) transport.send(message).catch(ignore);
    };

    function request(req: JSONRPCRequest): void {
      const method = methods.get(req.method);
      if (!method) return reply({ jsonrpc: '2.0', id: req.id, error: { code: ErrorCode.MethodNotFound, message: 'Method not found' } });
      let controller: AbortController | undefined;
      if (method.cancellable) (running ??= new Map()).set(req.id, (controller = new AbortController()));
      const signal = controller?.signal;
      method.handle(req, session, signal).then(
        (result) => {
          if (!signal?.aborted) reply({ result, jsonrpc: '2.0', id: req.id });
        },
        (err: unknown) => {
          if (!signal?.aborted) reply(errorReply(req.id, req.method, err));
        },
      ).finally(() => {
        if (controller && running?.get(req.id) === controller) running.delete(req.id);
      });
    }

    transport.onmessage = (message) => {
      if (!('method' in message)) return; // a response: this server sends no requests, so there is nothing to match
      if ('id' in message) return request(message);
      if (message.method === 'notifications/cancelled') {
        const cancel = CancelledNotificationSchema.safeParse(message);
        const id = cancel.success ? cancel.data.params.requestId : undefined;
        if (id !== undefined) running?.get(id)?.abort(cancel.data?.params.reason);
      }
      // notifications/initialized and the rest need no answer.
    };
    const onclose = transport.onclose;
    transport.onclose = () => {
      onclose?.();
      if (closed) return;
      closed = true;
      // Aborts the calls still running: their upstream requests stop too.
      for (const controller of running?.values() ?? []) controller.abort();
      running = undefined;
    };
    await transport.start();
  };
}
