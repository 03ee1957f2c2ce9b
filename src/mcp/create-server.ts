// One MCP server object per connection, made from parts built once per process. The SDK's low-level Server
// speaks the protocol (initialize, ping, cancellation, progress); the handlers it gets are thin closures over
// the shared registry, and the JSON Schema validator is shared too (the SDK would build an Ajv per server).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import {
  CallToolRequestSchema,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  McpError,
  ErrorCode,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Implementation,
} from '@modelcontextprotocol/sdk/types.js';
import type { ElevenLabsProvider } from '../elevenlabs/client.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { listResources, readResource } from '../output/resources.js';
import type { ToolSettings } from './define-tool.js';
import type { ToolRegistry } from './tool-registry.js';

export interface McpServerDeps {
  serverInfo: Implementation;
  instructions?: string;
  registry: ToolRegistry;
  elevenlabs: ElevenLabsProvider;
  settings: ToolSettings;
  log: Logger;
}

/** The first protocol version with the `audio` content block. */
const AUDIO_BLOCK_SINCE = '2025-03-26';

export type McpServerFactory = (session: { sessionId: string; principal: string }) => Server;

export function createMcpServerFactory(deps: McpServerDeps): McpServerFactory {
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  const capabilities = { tools: { listChanged: false }, resources: { listChanged: false } };
  const listTools = async () => deps.registry.listResult;
  const basePath = deps.settings.output.basePath;
  const listFiles = async () => ({ resources: await listResources(basePath) });
  const readFile = async (request: { params: { uri: string } }) => {
    try {
      return await readResource(basePath, request.params.uri);
    } catch (err) {
      // -32002 is the spec's "resource not found"; other failures are invalid params.
      if (err instanceof UserError) throw new McpError(/not found/.test(err.message) ? -32002 : ErrorCode.InvalidParams, err.message);
      throw err;
    }
  };
  const elevenlabs = () => deps.elevenlabs.get();

  return ({ sessionId, principal }) => {
    const server = new Server(deps.serverInfo, { capabilities, instructions: deps.instructions, jsonSchemaValidator });
    let audioBlock = false;

    // Replaces the SDK's own initialize handler only to remember the negotiated version (the SDK keeps it
    // nowhere); the answer is the one the SDK gives.
    server.setRequestHandler(InitializeRequestSchema, async (request) => {
      const requested = request.params.protocolVersion;
      const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
      audioBlock = protocolVersion >= AUDIO_BLOCK_SINCE;
      return {
        protocolVersion,
        capabilities,
        serverInfo: deps.serverInfo,
        ...(deps.instructions && { instructions: deps.instructions }),
      };
    });
    server.setRequestHandler(ListToolsRequestSchema, listTools);
    server.setRequestHandler(ListResourcesRequestSchema, listFiles);
    server.setRequestHandler(ReadResourceRequestSchema, readFile);
    server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      let log: Logger | undefined;
      return deps.registry.call(request.params.name, request.params.arguments, {
        elevenlabs,
        settings: deps.settings,
        requestOptions: { abortSignal: extra.signal, timeoutInSeconds: deps.elevenlabs.timeoutSeconds },
        audioBlock,
        principal,
        // Made on first use: most calls log nothing at the default level.
        get log() {
          return (log ??= deps.log.child({ sessionId, tool: request.params.name }));
        },
      });
    });
    return server;
  };
}
