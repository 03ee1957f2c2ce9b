import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { structuredTextResult } from '../../mcp/tool-result.js';

const AgentSummary = z.object({
  agent_id: z.string(),
  name: z.string(),
  voice_id: z.string(),
  tags: z.array(z.string()),
  created_at_unix_secs: z.number(),
  last_call_time_unix_secs: z.number().optional(),
  archived: z.boolean().optional(),
});

export const listAgents = defineTool({
  name: 'list_agents',
  title: 'List agents',
  toolset: 'agents',
  effect: 'read',
  description: 'List all available conversational AI agents (name and ID of each; the first page of up to 30).',
  input: z.object({}),
  output: z.object({ agents: z.array(AgentSummary), has_more: z.boolean() }),
  async handle(_args, ctx) {
    const client = await ctx.elevenlabs();
    const response = await client.conversationalAi.agents.list({}, ctx.requestOptions);
    const agents = response.agents.map((a) => ({
      agent_id: a.agentId,
      name: a.name,
      voice_id: a.voiceId,
      tags: a.tags,
      created_at_unix_secs: a.createdAtUnixSecs,
      ...(a.lastCallTimeUnixSecs != null && { last_call_time_unix_secs: a.lastCallTimeUnixSecs }),
      ...(a.archived != null && { archived: a.archived }),
    }));
    const text = agents.length
      ? `Available agents: ${agents.map((a) => `${a.name} (ID: ${a.agent_id})`).join(',')}`
      : 'No agents found.';
    return structuredTextResult(text, { agents, has_more: response.hasMore });
  },
});
