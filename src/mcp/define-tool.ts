// A tool is data plus one function. Its annotations are derived from one declared effect, so a tool that
// spends credits can never be advertised as read-only (the official server marks text_to_speech read-only,
// which invites clients to auto-approve paid calls).
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Config, Toolset } from '../config.js';
import type { ElevenLabsClient } from '../elevenlabs/client.js';
import type { Logger } from '../logger.js';
import type { CallReport } from './call-report.js';
import type { OutputSettings } from '../output/deliver.js';

/**
 * read        — reads data, spends nothing, changes nothing.
 * generate    — spends credits to produce output; changes no state upstream.
 * create      — creates or changes things upstream (agents, voices, knowledge bases).
 * destructive — has effects outside ElevenLabs that cannot be undone (e.g. places a phone call).
 */
export type Effect = 'read' | 'generate' | 'create' | 'destructive';


export interface ToolSettings {
  defaultVoiceId: string;
  output: OutputSettings;
}

export interface ToolContext {
  elevenlabs(): Promise<ElevenLabsClient>;
  settings: ToolSettings;
  /** Pass to every SDK call: aborts when the client cancels or disconnects, bounds the wait. */
  requestOptions: { abortSignal: AbortSignal; timeoutInSeconds: number };
  /** True when the negotiated protocol version has the `audio` content block. */
  audioBlock: boolean;
  /** Who is calling (a token id, or a client address when auth is off), for per-client budgets. */
  principal: string;
  /** The origin clients reach this server at (PUBLIC_URL, or the request's Host), for download links. */
  publicOrigin: string;
  /** Counts bytes of output delivered (for /metrics); absent when metrics are off. */
  generatedBytes?: (bytes: number) => void;
  /** Progress and log messages for the client; the registry and the ElevenLabs client feed it. */
  report: CallReport;
  log: Logger;
}

export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  toolset: Toolset;
  effect: Effect;
  /**
   * True when the tool touches nothing outside this server: no ElevenLabs call, no network (play_audio only
   * reads a file under the base path). Such a tool is advertised with openWorldHint false.
   */
  local?: boolean;
  /** A string, or a function of the config for descriptions that depend on it (output mode). */
  description: string | ((config: Config) => string);
  input: Input;
  /**
   * The parameter holding the text ElevenLabs turns into audio (text_to_speech's `text`): /metrics counts its
   * characters on each successful call, the unit text-to-speech is billed in.
   */
  generatesFrom?: keyof z.output<Input> & string;
  /** When set, the tool returns structuredContent matching this schema (and the same JSON as text). */
  output?: z.ZodObject;
  /**
   * What a top-level `null` argument stands for, for the parameters where the official server gives None a
   * meaning of its own (create_agent voice_id: no voice). Any other null argument is treated as absent, so
   * its default applies; the advertised schemas never carry null.
   */
  nullAs?: { [K in keyof z.input<Input>]?: z.input<Input>[K] };
  handle(args: z.output<Input>, ctx: ToolContext): Promise<CallToolResult>;
}

export function defineTool<Input extends z.ZodObject>(def: ToolDefinition<Input>): ToolDefinition<Input> {
  return def;
}

export function annotationsFor(effect: Effect, title: string, local = false): ToolAnnotations {
  return {
    title,
    readOnlyHint: effect === 'read',
    destructiveHint: effect === 'destructive',
    idempotentHint: effect === 'read',
    openWorldHint: !local,
  };
}

/** The line the official server puts on every tool that spends credits. */
export const COST_WARNING =
  '⚠️ COST WARNING: This tool makes an API call to ElevenLabs which may incur costs. Only use when explicitly requested by the user.';
