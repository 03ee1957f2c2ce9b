// The bodies create_agent sends, built as the official server's convai.py builds them: the same nested
// snake_case keys, the same fixed values and the same key order. They are sent raw (the SDK's typed request
// would reject several of these values client-side: end_call without params, asr quality "low", …).

/** Conversational TTS models the agents API accepts (the SDK's TtsConversationalModel). */
export const AGENT_TTS_MODELS = [
  'eleven_turbo_v2',
  'eleven_turbo_v2_5',
  'eleven_flash_v2',
  'eleven_flash_v2_5',
  'eleven_multilingual_v2',
  'eleven_v3_conversational',
  'eleven_v4',
  'eleven_v4_turbo',
] as const;

export const ASR_QUALITIES = ['high', 'low'] as const;

/** The conversation events a new agent's clients receive (convai.py). */
export const CLIENT_EVENTS = ['audio', 'interruption', 'user_transcript', 'agent_response', 'agent_response_correction'];

export const TERMS_TEXT =
  '#### Terms and conditions\n\n' +
  'By clicking "Agree," and each time I interact with this AI agent, I consent to the recording, storage, and sharing of my communications with third-party service providers, and as described in the Privacy Policy.\n' +
  'If you do not wish to have your conversations recorded, please refrain from using this service.';

export interface ConversationConfigOptions {
  language: string;
  systemPrompt: string;
  llm: string;
  /** Left out when empty. */
  firstMessage: string;
  temperature: number;
  /** Left out when undefined or 0. */
  maxTokens: number | undefined;
  asrQuality: string;
  /** Left out when undefined or empty: the API then picks its default voice. */
  voiceId: string | undefined;
  modelId: string;
  optimizeStreamingLatency: number;
  stability: number;
  similarityBoost: number;
  turnTimeout: number;
  maxDurationSeconds: number;
}

/** `conversation_config` for POST /v1/convai/agents/create (convai.py create_conversation_config). */
export function conversationConfig(o: ConversationConfigOptions): Record<string, unknown> {
  return {
    agent: {
      language: o.language,
      prompt: {
        prompt: o.systemPrompt,
        llm: o.llm,
        tools: [{ type: 'system', name: 'end_call', description: '' }],
        knowledge_base: [],
        temperature: o.temperature,
        ...(o.maxTokens ? { max_tokens: o.maxTokens } : {}),
      },
      ...(o.firstMessage ? { first_message: o.firstMessage } : {}),
      dynamic_variables: { dynamic_variable_placeholders: {} },
    },
    asr: {
      quality: o.asrQuality,
      provider: 'elevenlabs',
      user_input_audio_format: 'pcm_16000',
      keywords: [],
    },
    tts: {
      ...(o.voiceId ? { voice_id: o.voiceId } : {}),
      model_id: o.modelId,
      agent_output_audio_format: 'pcm_16000',
      optimize_streaming_latency: o.optimizeStreamingLatency,
      stability: o.stability,
      similarity_boost: o.similarityBoost,
    },
    turn: { turn_timeout: o.turnTimeout },
    conversation: {
      max_duration_seconds: o.maxDurationSeconds,
      client_events: [...CLIENT_EVENTS],
    },
    language_presets: {},
    is_blocked_ivc: false,
    is_blocked_non_ivc: false,
  };
}

/** `platform_settings` for POST /v1/convai/agents/create (convai.py create_platform_settings). */
export function platformSettings(recordVoice: boolean, retentionDays: number): Record<string, unknown> {
  return {
    widget: {
      variant: 'full',
      avatar: { type: 'orb', color_1: '#6DB035', color_2: '#F5CABB' },
      feedback_mode: 'during',
      terms_text: TERMS_TEXT,
      show_avatar_when_collapsed: true,
    },
    evaluation: {},
    auth: { allowlist: [] },
    overrides: {},
    call_limits: { agent_concurrency_limit: -1, daily_limit: 100000 },
    privacy: {
      record_voice: recordVoice,
      retention_days: retentionDays,
      delete_transcript_and_pii: true,
      delete_audio: true,
      apply_to_existing_conversations: false,
    },
    data_collection: {},
  };
}
