import type { ToolDefinition } from '../../mcp/define-tool.js';

export const conversationTools = [] as ToolDefinition[];
