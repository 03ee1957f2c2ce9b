import type { ToolDefinition } from '../../mcp/define-tool.js';
import { addKnowledgeBaseToAgent } from './add-knowledge-base-to-agent.js';
import { createAgent } from './create-agent.js';
import { getAgent } from './get-agent.js';
import { listAgents } from './list-agents.js';
import { simulateConversation } from './simulate-conversation.js';

export const agentTools = [createAgent, addKnowledgeBaseToAgent, listAgents, getAgent, simulateConversation] as ToolDefinition[];
