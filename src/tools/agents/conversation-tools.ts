import type { ToolDefinition } from '../../mcp/define-tool.js';
import { getConversation } from './get-conversation.js';
import { listConversations } from './list-conversations.js';
import { listPhoneNumbersTool } from './list-phone-numbers.js';
import { makeOutboundCall } from './make-outbound-call.js';

export const conversationTools = [getConversation, listConversations, makeOutboundCall, listPhoneNumbersTool] as ToolDefinition[];
