import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { formatUnixTime, structuredTextResult } from '../../mcp/tool-result.js';
import { requireNonBlank } from '../params.js';

const KnowledgeBaseItem = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  usage_mode: z.string().optional(),
});

export const getAgent = defineTool({
  name: 'get_agent',
  title: 'Get agent',
  toolset: 'agents',
  effect: 'read',
  description:
    'Get details about a specific conversational AI agent: name, voice, language, LLM, first message, system prompt, knowledge base documents and creation time.',
  input: z.object({
    agent_id: z.string().describe('ID of the agent (from list_agents or create_agent).'),
  }),
  output: z.object({
    agent_id: z.string(),
    name: z.string(),
    voice_id: z.string().optional(),
    tts_model_id: z.string().optional(),
    language: z.string().optional(),
    llm: z.string().optional(),
    first_message: z.string().optional(),
    system_prompt: z.string().optional(),
    knowledge_base: z.array(KnowledgeBaseItem),
    tags: z.array(z.string()),
    created_at: z.string().describe('Creation time, ISO 8601 UTC.'),
    created_at_unix_secs: z.number(),
    updated_at_unix_secs: z.number(),
  }),
  async handle(args, ctx) {
    const client = await ctx.elevenlabs();
    const agent = await client.conversationalAi.agents.get(requireNonBlank(args.agent_id, 'agent_id'), {}, ctx.requestOptions);
    const { tts, agent: agentConfig } = agent.conversationConfig;
    const prompt = agentConfig?.prompt;
    const created = agent.metadata.createdAtUnixSecs;
    const data = {
      agent_id: agent.agentId,
      name: agent.name,
      ...(tts?.voiceId != null && { voice_id: tts.voiceId }),
      ...(tts?.modelId != null && { tts_model_id: tts.modelId }),
      ...(agentConfig?.language != null && { language: agentConfig.language }),
      ...(prompt?.llm != null && { llm: prompt.llm }),
      ...(agentConfig?.firstMessage != null && { first_message: agentConfig.firstMessage }),
      ...(prompt?.prompt != null && { system_prompt: prompt.prompt }),
      knowledge_base: (prompt?.knowledgeBase ?? []).map((kb) => ({
        id: kb.id,
        name: kb.name,
        type: kb.type,
        ...(kb.usageMode != null && { usage_mode: kb.usageMode }),
      })),
      tags: agent.tags ?? [],
      created_at: new Date(created * 1000).toISOString(),
      created_at_unix_secs: created,
      updated_at_unix_secs: agent.metadata.updatedAtUnixSecs,
    };
    // As the official server: "None" without a tts section, the voice id (or None) with one.
    const voiceInfo = tts ? `Voice ID: ${tts.voiceId ?? 'None'}` : 'None';
    const text =
      `Agent Details: Name: ${agent.name}, Agent ID: ${agent.agentId}, Voice Configuration: ${voiceInfo}, ` +
      `Created At: ${formatUnixTime(created)}`;
    return structuredTextResult(text, data);
  },
});
