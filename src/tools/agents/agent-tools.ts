import type { ToolDefinition } from '../../mcp/define-tool.js';

export const agentTools = [] as ToolDefinition[];
