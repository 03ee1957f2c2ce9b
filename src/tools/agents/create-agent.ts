import { z } from 'zod';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { textResult } from '../../mcp/tool-result.js';
import { oneOf, ranged, wholeNumber } from '../params.js';
import { AGENT_TTS_MODELS, ASR_QUALITIES, conversationConfig, platformSettings } from './agent-config.js';

export const createAgent = defineTool({
  name: 'create_agent',
  title: 'Create agent',
  toolset: 'agents',
  effect: 'create',
  description: `Create a conversational AI agent with custom configuration: its name, first message and system prompt, voice and TTS model, language, LLM, speech recognition, turn and duration limits, and privacy settings (voice recording, retention). Returns the new agent's ID.

${COST_WARNING}`,
  input: z.object({
    name: z.string().describe('Name of the agent.'),
    first_message: z
      .string()
      .describe('First message the agent will say, e.g. "Hi, how can I help you today?". An empty string means the agent waits for the user.'),
    system_prompt: z.string().describe('System prompt for the agent.'),
    voice_id: z
      .string()
      .optional()
      .describe(
        "ID of the voice to use for the agent. Defaults to the server's default voice (ELEVENLABS_DEFAULT_VOICE_ID, cgSgspJ2msm6clMCkdW9 unless configured); an empty string or null lets ElevenLabs choose.",
      ),
    language: z.string().default('en').describe('ISO 639-1 language code for the agent.'),
    llm: z.string().default('gemini-2.0-flash-001').describe('LLM to use for the agent, e.g. gemini-2.0-flash-001, gpt-4o-mini, claude-sonnet-4.'),
    temperature: ranged(
      'temperature',
      0,
      1,
      0.5,
      "Temperature for the agent's LLM, 0 to 1; lower is more deterministic.",
    ),
    max_tokens: wholeNumber('max_tokens', {}, 'Maximum number of tokens the LLM may generate per reply. Unset or 0 means no limit.').optional(),
    asr_quality: oneOf('asr_quality', ASR_QUALITIES)
      .default('high')
      .describe('Quality of the speech recognition: high or low.'),
    model_id: oneOf('model_id', AGENT_TTS_MODELS)
      .default('eleven_turbo_v2')
      .describe('ElevenLabs TTS model the agent speaks with (English-only agents use the v2 models, others v2_5 or later).'),
    optimize_streaming_latency: wholeNumber(
      'optimize_streaming_latency',
      { min: 0, max: 4, default: 3 },
      'Streaming latency optimization, 0 (none) to 4 (maximum).',
    ),
    stability: ranged('stability', 0, 1, 0.5, "Stability of the agent's voice, 0 to 1."),
    similarity_boost: ranged('similarity_boost', 0, 1, 0.8, "Similarity boost of the agent's voice, 0 to 1."),
    turn_timeout: wholeNumber(
      'turn_timeout',
      { default: 7 },
      'Seconds the agent waits for the user to respond before it speaks again. Defaults to 7.',
    ),
    max_duration_seconds: wholeNumber(
      'max_duration_seconds',
      { min: 1, default: 300 },
      'Maximum duration of a conversation in seconds. Defaults to 300 (5 minutes).',
    ),
    record_voice: z.boolean().default(true).describe('Whether to record the conversations\' audio.'),
    retention_days: wholeNumber(
      'retention_days',
      { min: -1, default: 730 },
      "Number of days to keep the agent's conversation data (-1 keeps it indefinitely). Defaults to 730.",
    ),
  }),
  // Upstream's voice_id defaults to the default voice, and None means no voice (ElevenLabs chooses).
  nullAs: { voice_id: '' },
  async handle(args, ctx) {
    const voiceId = args.voice_id ?? ctx.settings.defaultVoiceId;
    const conversation_config = conversationConfig({
      language: args.language,
      systemPrompt: args.system_prompt,
      llm: args.llm,
      firstMessage: args.first_message,
      temperature: args.temperature,
      maxTokens: args.max_tokens,
      asrQuality: args.asr_quality,
      voiceId,
      modelId: args.model_id,
      optimizeStreamingLatency: args.optimize_streaming_latency,
      stability: args.stability,
      similarityBoost: args.similarity_boost,
      turnTimeout: args.turn_timeout,
      maxDurationSeconds: args.max_duration_seconds,
    });
    const platform_settings = platformSettings(args.record_voice, args.retention_days);
    const client = await ctx.elevenlabs();
    // Sent raw: the typed request would reject the official config (see agent-config.ts). The typed
    // conversationConfig placeholder is replaced by the raw one.
    const response = await client.conversationalAi.agents.create(
      { conversationConfig: {} },
      { ...ctx.requestOptions, additionalBodyParameters: { conversation_config, platform_settings, name: args.name } },
    );
    return textResult(
      `Agent created successfully: Name: ${args.name}, Agent ID: ${response.agentId}, System Prompt: ${args.system_prompt}, ` +
        `Voice ID: ${voiceId || 'Default'}, Language: ${args.language}, LLM: ${args.llm}, ` +
        'You can use this agent ID for future interactions with the agent.',
    );
  },
});
