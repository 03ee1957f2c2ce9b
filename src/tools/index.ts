// Every tool the server offers, in the official server's order (tools it does not have come last).
import type { Config } from '../config.js';
import type { ToolDefinition } from '../mcp/define-tool.js';
import { accountTools } from './account/index.js';
import { agentsTools } from './agents/index.js';
import { musicTools } from './music/index.js';
import { soundTools } from './sound/index.js';
import { speechTools } from './speech/index.js';
import { voicesTools } from './voices/index.js';

/** elevenlabs/elevenlabs-mcp 0.12.2's order (server.py). */
const OFFICIAL_ORDER = [
  'text_to_speech', 'speech_to_text', 'text_to_sound_effects', 'search_voices', 'list_models', 'get_voice',
  'voice_clone', 'isolate_audio', 'check_subscription', 'create_agent', 'add_knowledge_base_to_agent',
  'list_agents', 'get_agent', 'get_conversation', 'simulate_conversation', 'list_conversations',
  'speech_to_speech', 'text_to_voice', 'create_voice_from_preview', 'make_outbound_call',
  'search_voice_library', 'list_phone_numbers', 'play_audio', 'compose_music', 'create_composition_plan',
  'video_to_music', 'upload_music_for_inpainting',
];
const rank = (name: string) => {
  const i = OFFICIAL_ORDER.indexOf(name);
  return i < 0 ? OFFICIAL_ORDER.length : i;
};

export const allTools: readonly ToolDefinition[] = [
  ...speechTools,
  ...soundTools,
  ...voicesTools,
  ...musicTools,
  ...agentsTools,
  ...accountTools,
].sort((a, b) => rank(a.name) - rank(b.name));

export interface ToolSelection {
  tools: readonly ToolDefinition[];
  /** Tools left out by the config, with the reason tools/call gives when a client calls one anyway. */
  refused: ReadonlyMap<string, string>;
}

/**
 * The tools this server offers under its config: only the enabled toolsets, and in read-only mode only the
 * tools whose effect is 'read'. A tool left out is hidden from tools/list and refused by tools/call.
 */
export function selectTools(config: Pick<Config, 'tools'>, tools: readonly ToolDefinition[] = allTools): ToolSelection {
  const refused = new Map<string, string>();
  const kept = tools.filter((t) => {
    if (!config.tools.toolsets.includes(t.toolset)) {
      refused.set(t.name, `${t.name} is not available on this server: its toolset '${t.toolset}' is not in ELEVENLABS_MCP_TOOLSETS.`);
      return false;
    }
    if (config.tools.readOnly && t.effect !== 'read') {
      refused.set(t.name, `${t.name} is not available on this server: ELEVENLABS_MCP_READ_ONLY=true allows only tools that read, and this one spends credits or changes state.`);
      return false;
    }
    return true;
  });
  return { tools: kept, refused };
}
