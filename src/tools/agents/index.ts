import { agentTools } from './agent-tools.js';
import { conversationTools } from './conversation-tools.js';

export const agentsTools = [...agentTools, ...conversationTools];
